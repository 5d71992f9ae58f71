// The supervisor suites' fixture: the agents fixture plus a known week of data, a Supervisor over
// the real RunEventSink (SQLite, or PostgreSQL with TEST_POSTGRES_URL), what the sink delivered,
// and — only where a test must hold a run still or stop it mid-way — fake sinks in front of it.
#pragma once

#include <gmock/gmock.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "agents/supervisor.hpp"
#include "known_dataset.hpp"

namespace netra::agents {

// What the sink delivered, for a test thread to wait on (with a deadline).
class DeliveredEvents {
 public:
  void add(const chat::AgentEvent& event) {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
    arrived_.push_back(std::chrono::steady_clock::now());
    changed_.notify_all();
  }
  // When the event of `run_id` numbered `seq` was delivered (the sink's clock is the test's).
  std::optional<std::chrono::steady_clock::time_point> arrival(const std::string& run_id,
                                                               int64_t seq) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < events_.size(); ++i) {
      if (events_[i].run_id == run_id && events_[i].seq == seq) return arrived_[i];
    }
    return std::nullopt;
  }
  // Waits until `run_id` has a final event (agent_completed or agent_error); false on timeout.
  bool wait_for_end(const std::string& run_id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      return std::any_of(events_.begin(), events_.end(), [&](const chat::AgentEvent& e) {
        return e.run_id == run_id && (e.type == chat::AgentEventType::agent_completed ||
                                      e.type == chat::AgentEventType::agent_error);
      });
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<chat::AgentEvent> events_;
  std::vector<std::chrono::steady_clock::time_point> arrived_;
};

// A fake in front of the real sink that holds one run at its agent_started until the test opens
// the gate (or 20 s pass): how a test keeps a run occupying its slot. The gate stays open once
// opened, also for a run that reaches it later; runs must emit on `executor`, where the gate is
// opened.
class FakeGatedEventSink final : public chat::EventSink {
 public:
  FakeGatedEventSink(chat::EventSink& inner, asio::any_io_executor executor)
      : inner_(inner), gate_(std::make_shared<asio::steady_timer>(executor)) {
    gate_->expires_after(std::chrono::seconds(20));
  }
  void hold(std::string run_id) { held_ = std::move(run_id); }
  void open() {
    asio::post(gate_->get_executor(), [gate = gate_, open = open_] {
      *open = true;
      gate->cancel();
    });
  }

  asio::awaitable<chat::ChatResult<chat::AgentEvent>> emit(chat::AgentEvent event,
                                                           core::Deadline deadline) override {
    if (event.type == chat::AgentEventType::agent_started && event.run_id == held_ && !*open_) {
      co_await gate_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto emitted = co_await inner_.emit(std::move(event), deadline);
    co_return emitted;
  }
  void deliver_unstored(chat::AgentEvent event) override {
    inner_.deliver_unstored(std::move(event));
  }

 private:
  chat::EventSink& inner_;
  std::shared_ptr<asio::steady_timer> gate_;
  std::shared_ptr<bool> open_ = std::make_shared<bool>(false);  // touched on the gate's executor
  std::string held_;
};

// A fake in front of the real sink that presses "stop" on a run the moment the run announces a
// given step: cancellation arriving mid-run, at a known place — through the supervisor, or
// (stop_through) straight on the run store, as another instance or an older route would.
class FakeCancellingEventSink final : public chat::EventSink {
 public:
  FakeCancellingEventSink(chat::EventSink& inner, int at_step) : inner_(inner), at_step_(at_step) {}
  void attach(Supervisor& supervisor) { supervisor_ = &supervisor; }
  void stop_through(chat::RunStore& runs) { runs_ = &runs; }

  asio::awaitable<chat::ChatResult<chat::AgentEvent>> emit(chat::AgentEvent event,
                                                           core::Deadline deadline) override {
    const bool stop_now = event.type == chat::AgentEventType::agent_thinking &&
                          event.data.value("step_number", 0) == at_step_;
    const std::string run_id = event.run_id;
    auto emitted = co_await inner_.emit(std::move(event), deadline);
    if (stop_now && runs_ != nullptr) {
      std::optional<std::string> why = "stopped by the user";
      auto set =
          co_await runs_->set_status(run_id, chat::RunStatus::cancelled, std::move(why), deadline);
      cancelled_ = set.ok();
    } else if (stop_now && supervisor_ != nullptr) {
      cancelled_ = supervisor_->cancel(run_id);
    }
    co_return emitted;
  }
  void deliver_unstored(chat::AgentEvent event) override {
    inner_.deliver_unstored(std::move(event));
  }
  bool cancelled() const { return cancelled_.load(); }

 private:
  chat::EventSink& inner_;
  int at_step_;
  Supervisor* supervisor_ = nullptr;
  chat::RunStore* runs_ = nullptr;
  std::atomic<bool> cancelled_{false};
};

class SupervisorTest : public AgentsTest {
 protected:
  void SetUp() override {
    AgentsTest::SetUp();
    if (HasFatalFailure()) return;
    sink_ = std::make_unique<chat::RunEventSink>(
        chat_->runs, [this](const chat::AgentEvent& e) { delivered_.add(e); },
        [this] { return now_.load(); });
  }
  void TearDown() override {
    if (supervisor_) run(supervisor_->stop(std::chrono::seconds(10)));
    supervisor_.reset();
    sink_.reset();
    AgentsTest::TearDown();
  }

  asio::any_io_executor executor() { return loops_.context(1).get_executor(); }

  // A supervisor emitting through `events` (the real sink unless a test puts a fake in front),
  // with `llm` phrasing summaries when given; its clock reads the end of the known week, so
  // "last 7 days" is that week.
  Supervisor& start_supervisor(SupervisorOptions options = {}, chat::EventSink* events = nullptr,
                               ChatCompletionsClient* llm = nullptr) {
    RunDependencies deps{*analytics_, chat_->runs, chat_->messages,
                         events != nullptr ? *events : *sink_, llm};
    supervisor_ =
        std::make_unique<Supervisor>(executor(), deps, options, [] { return known::kTo; });
    return *supervisor_;
  }

  // A queued run of a new thread of alice's (or of `thread_id`).
  RunRequest new_run(std::string request, std::string thread_id = "") {
    if (thread_id.empty()) thread_id = must_thread(alice_).id;
    const auto r = must_run(alice_, thread_id, request);
    return RunRequest{r.id, r.thread_id, alice_, std::move(request), std::nullopt};
  }

  Admission submit(const RunRequest& request) { return run(supervisor_->submit(request)); }

  chat::Run run_record(const std::string& run_id) {
    auto found = run(chat_->runs.get(alice_, run_id, deadline()));
    if (!found) throw std::runtime_error("read run: " + found.error().message);
    return found->run;
  }

  // "type" or "type:step_number" for each stored event of the run, in order; the report's chunks
  // as one "agent_response_chunk*".
  std::vector<std::string> event_trail(const std::string& run_id) {
    std::vector<std::string> out;
    for (const auto& e : stored_events(alice_, run_id)) {
      std::string line(chat::to_string(e.type));
      if (e.type == chat::AgentEventType::agent_thinking) {
        line += ":" + std::to_string(e.data.value("step_number", 0));
      }
      if (e.type == chat::AgentEventType::agent_error) line += ":" + e.data.value("code", "");
      // The report's sections, however many: one entry.
      if (e.type == chat::AgentEventType::agent_response_chunk) {
        line += "*";
        if (!out.empty() && out.back() == line) continue;
      }
      out.push_back(std::move(line));
    }
    return out;
  }

  // The report as a client builds it from the run's agent_response_chunk events: each text put
  // at its offset, replacing what followed. Checks they are numbered in order and only the last
  // is marked last.
  std::string applied_chunks(const std::string& run_id) {
    std::string report;
    size_t index = 0;
    bool ended = false;
    for (const auto& e : stored_events(alice_, run_id)) {
      if (e.type != chat::AgentEventType::agent_response_chunk) continue;
      EXPECT_FALSE(ended) << "a chunk after the last";
      EXPECT_EQ(e.agent_name, "reporting");
      EXPECT_EQ(e.data["index"], index++);
      const auto offset = e.data["offset"].get<size_t>();
      EXPECT_LE(offset, report.size()) << "a chunk beyond what was sent";
      report.resize(std::min(offset, report.size()));
      report += e.data["text"].get<std::string>();
      ended = e.data.value("last", false);
    }
    EXPECT_TRUE(ended) << "no chunk was marked last";
    return report;
  }

  DeliveredEvents delivered_;
  std::unique_ptr<chat::RunEventSink> sink_;
  std::unique_ptr<Supervisor> supervisor_;
};

}  // namespace netra::agents
