// The event sink over the run store: each event is stored as the run's next step before anyone
// sees it, and an event that cannot be stored is never delivered.
#include "chat/run_event_sink.hpp"

#include "chat_test_fixture.hpp"

namespace netra::chat {
namespace {

using RunEventSinkTest = ChatStoreTest;

AgentEvent event_of(const chat::Run& run, AgentEventType type, nlohmann::json data) {
  AgentEvent e;
  e.type = type;
  e.run_id = run.id;
  e.thread_id = run.thread_id;
  e.user_id = run.user_id;
  e.agent_name = "triage";
  e.data = std::move(data);
  return e;
}

TEST_P(RunEventSinkTest, StoresEachEventAsTheNextStepThenDeliversIt) {
  const auto thread = must_thread(alice_);
  const auto r = must_run(alice_, thread.id);
  std::vector<AgentEvent> delivered;
  RunEventSink sink(
      chat_->runs, [&](const AgentEvent& e) { delivered.push_back(e); },
      [this] { return now_.load(); });

  at(kStart + 100);
  auto first = run(sink.emit(event_of(r, AgentEventType::agent_started, {}), deadline()));
  ASSERT_TRUE(first) << first.error().message;
  at(kStart + 250);
  auto second = run(sink.emit(
      event_of(r, AgentEventType::agent_thinking, {{"step_number", 1}, {"progress", 0.2}}),
      deadline()));
  ASSERT_TRUE(second) << second.error().message;

  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->timestamp, kStart + 100);
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->timestamp, kStart + 250);
  ASSERT_EQ(delivered.size(), 2u);
  // Delivered with the seq the store gave it: stored first.
  EXPECT_EQ(delivered[0].seq, 1);
  EXPECT_EQ(delivered[1].seq, 2);
  EXPECT_EQ(delivered[1].user_id, alice_);

  auto read_back = run(chat_->runs.get(alice_, r.id, deadline()));
  ASSERT_TRUE(read_back) << read_back.error().message;
  ASSERT_EQ(read_back->steps.size(), 2u);
  EXPECT_EQ(read_back->steps[0].type, "agent_started");
  EXPECT_EQ(read_back->steps[1].type, "agent_thinking");
  const auto& payload = read_back->steps[1].payload;
  EXPECT_EQ(payload["agent_name"], "triage");
  EXPECT_EQ(payload["thread_id"], thread.id);
  EXPECT_EQ(payload["timestamp"], kStart + 250);
  EXPECT_EQ(payload["data"]["step_number"], 1);
}

TEST_P(RunEventSinkTest, AnEventThatCannotBeStoredIsNotDelivered) {
  int delivered = 0;
  RunEventSink sink(chat_->runs, [&](const AgentEvent&) { ++delivered; });
  chat::Run missing;
  missing.id = "run_AAAAAAAAAAAAAAAAAAAAAA";
  missing.thread_id = "thr_AAAAAAAAAAAAAAAAAAAAAA";
  missing.user_id = alice_;
  auto emitted = run(sink.emit(event_of(missing, AgentEventType::agent_error, {}), deadline()));
  EXPECT_FALSE(emitted);
  EXPECT_EQ(delivered, 0);
}

TEST(AgentEventTypes, NamesRoundTrip) {
  for (auto type : {AgentEventType::agent_started, AgentEventType::agent_thinking,
                    AgentEventType::tool_executing, AgentEventType::tool_completed,
                    AgentEventType::agent_completed, AgentEventType::agent_error}) {
    EXPECT_EQ(parse_agent_event_type(to_string(type)), type);
  }
  EXPECT_FALSE(parse_agent_event_type("agent_sleeping"));
}

INSTANTIATE_TEST_SUITE_P(Backends, RunEventSinkTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::chat
