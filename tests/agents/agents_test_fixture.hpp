// The fixture of the agent suites that touch storage: the chat stores' fixture (a migrated
// database per test, SQLite and, with TEST_POSTGRES_URL, PostgreSQL; two users) plus the embedded
// analytics store on the same database, and helpers to write events and read a run's events back.
#pragma once

#include <gtest/gtest.h>

#include "analytics/embedded_store.hpp"
#include "chat/chat_test_fixture.hpp"
#include "chat/run_event_sink.hpp"

namespace netra::agents {

class AgentsTest : public chat::ChatStoreTest {
 protected:
  void SetUp() override {
    ChatStoreTest::SetUp();
    if (HasFatalFailure()) return;
    analytics_ = std::make_unique<analytics::EmbeddedAnalyticsStore>(*db_);
  }
  void TearDown() override {
    analytics_.reset();
    ChatStoreTest::TearDown();
  }

  // Stores the events for `user`, in batches the store accepts.
  void insert(const std::string& user, const std::vector<analytics::WorkloadEvent>& events) {
    for (size_t at = 0; at < events.size(); at += analytics::kMaxBatchEvents) {
      const size_t end = std::min(events.size(), at + analytics::kMaxBatchEvents);
      std::vector<analytics::WorkloadEvent> batch(events.begin() + static_cast<ptrdiff_t>(at),
                                                  events.begin() + static_cast<ptrdiff_t>(end));
      auto stored = run(analytics_->insert(user, std::move(batch), deadline()));
      ASSERT_TRUE(stored) << stored.error().message;
    }
  }

  // The run's events as stored, in order.
  std::vector<chat::AgentEvent> stored_events(const std::string& owner, const std::string& run_id) {
    auto found = run(chat_->runs.get(owner, run_id, deadline()));
    if (!found) throw std::runtime_error("read run: " + found.error().message);
    std::vector<chat::AgentEvent> out;
    for (const auto& step : found->steps) {
      auto event = chat::RunEventSink::event_from_step(step);
      if (!event) throw std::runtime_error("a step that is not an event: " + step.type);
      out.push_back(std::move(*event));
    }
    return out;
  }

  std::unique_ptr<analytics::EmbeddedAnalyticsStore> analytics_;
};

// One call as the tests describe it; the fields a test does not name keep these values.
inline analytics::WorkloadEvent call(int64_t timestamp_ms, std::string workload, std::string model,
                                     int64_t input_tokens, int64_t output_tokens,
                                     int64_t latency_ms, double cost_usd) {
  analytics::WorkloadEvent e;
  e.timestamp_ms = timestamp_ms;
  e.workload_id = std::move(workload);
  e.provider = model.rfind("claude", 0) == 0 ? "anthropic" : "openai";
  e.model = std::move(model);
  e.input_tokens = input_tokens;
  e.output_tokens = output_tokens;
  e.latency_ms = latency_ms;
  e.cost_usd = cost_usd;
  return e;
}

}  // namespace netra::agents
