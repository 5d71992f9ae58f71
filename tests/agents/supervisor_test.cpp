// A run through the supervisor over the real run event sink and stores: the exact order of the
// events it stores, the report as the thread's assistant message, the run's status — and the
// ways a run ends early: not enough data, cancellation between steps, the per-run timeout, and
// analytics that cannot be read.
#include <gmock/gmock.h>

#include "supervisor_fixture.hpp"

namespace netra::agents {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kToolCalls = {
    "tool_executing", "tool_completed", "tool_executing", "tool_completed", "tool_executing",
    "tool_completed", "tool_executing", "tool_completed", "tool_executing", "tool_completed"};

std::vector<std::string> trail(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST_P(SupervisorTest, ARunEmitsEveryStepInOrderAndStoresTheReport) {
  insert(alice_, known::week());
  start_supervisor();
  const auto request = new_run("How can I cut my LLM costs over the last 7 days?");
  EXPECT_EQ(submit(request), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(request.run_id));

  EXPECT_EQ(event_trail(request.run_id),
            trail({{"agent_started", "agent_thinking:1", "agent_thinking:2"},
                   kToolCalls,
                   {"agent_thinking:3", "agent_thinking:4", "agent_thinking:5",
                    "agent_response_chunk*", "agent_completed"}}));
  const auto events = stored_events(alice_, request.run_id);
  EXPECT_EQ(events.front().agent_name, "supervisor");
  EXPECT_EQ(events.front().data["user_request"], request.user_request);
  EXPECT_EQ(events.front().data["steps"].size(), 5u);
  for (size_t step = 1; step <= 5; ++step) {
    const auto thinking = std::find_if(events.begin(), events.end(), [&](const auto& e) {
      return e.type == chat::AgentEventType::agent_thinking &&
             e.data["step_number"] == static_cast<int>(step);
    });
    ASSERT_NE(thinking, events.end());
    EXPECT_EQ(thinking->agent_name, std::string(kSteps[step - 1]));
    EXPECT_EQ(thinking->data["total_steps"], 5);
    EXPECT_DOUBLE_EQ(thinking->data["progress"].get<double>(), static_cast<double>(step - 1) / 5.0);
    EXPECT_FALSE(thinking->data["message"].get<std::string>().empty());
  }
  EXPECT_EQ(events[3].agent_name, "data");  // the tool calls are the data step's
  for (size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i].seq, events[i - 1].seq + 1);

  const auto& done = events.back();
  EXPECT_EQ(done.agent_name, "supervisor");
  EXPECT_TRUE(done.data["execution_time_ms"].is_number_integer());
  EXPECT_EQ(done.data["progress"], 1.0);
  const auto& result = done.data["result"];
  EXPECT_EQ(result["triage"]["intent"], "cost");
  EXPECT_EQ(result["triage"]["window"]["from_ms"], known::kFrom);
  EXPECT_EQ(result["data"]["completeness"]["events"], known::kEvents);
  EXPECT_EQ(result["optimization"]["recommendations"].size(), 6u);
  EXPECT_EQ(result["optimization"]["recommendations"][0]["kind"], "prompt_trimming");
  EXPECT_NEAR(result["optimization"]["recommendations"][0]["monthly_saving_usd"].get<double>(),
              known::trimming_rag(), 1e-6);
  EXPECT_EQ(result["actions"].size(), 8u);

  // The report is the thread's assistant message, tied to the run.
  auto messages = run(chat_->messages.list(alice_, request.thread_id, 100, 0, deadline()));
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages->messages.size(), 1u);
  const auto& message = messages->messages[0];
  EXPECT_EQ(message.role, chat::Role::assistant);
  EXPECT_EQ(message.run_id, request.run_id);
  EXPECT_EQ(message.id, result["message_id"]);
  EXPECT_EQ(message.content, done.data["report"]);
  EXPECT_THAT(message.content, HasSubstr("# How to cut your LLM spend"));
  // It was sent as it was written, a section per chunk, before the run completed.
  std::string written;
  std::vector<std::string> headings;
  for (const auto& e : events) {
    if (e.type != chat::AgentEventType::agent_response_chunk) continue;
    EXPECT_EQ(e.data["offset"], written.size()) << "without a model, each follows the last";
    const auto text = e.data["text"].get<std::string>();
    headings.push_back(text.substr(0, text.find('\n')));
    written += text;
  }
  EXPECT_EQ(written, message.content);
  EXPECT_EQ(applied_chunks(request.run_id), message.content);
  EXPECT_EQ(events[events.size() - 2].data["last"], true);
  EXPECT_THAT(headings,
              ::testing::ElementsAre("# How to cut your LLM spend", "## Summary", "## Findings",
                                     "## Recommendations", "## Actions", "## Data"));
  EXPECT_THAT(message.content, HasSubstr("### R1. Trim the prompts of `rag-search`"));
  EXPECT_EQ(message.metadata["kind"], "agent_report");

  const auto record = run_record(request.run_id);
  EXPECT_EQ(record.status, chat::RunStatus::completed);
  EXPECT_TRUE(record.started_at.has_value());
  EXPECT_TRUE(record.finished_at.has_value());
}

TEST_P(SupervisorTest, WithTooLittleDataTheRunCompletesWithWhatToSend) {
  start_supervisor();
  const auto request = new_run("How can I cut my LLM costs?");
  EXPECT_EQ(submit(request), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(request.run_id));
  EXPECT_EQ(event_trail(request.run_id).back(), "agent_completed");
  const auto events = stored_events(alice_, request.run_id);
  EXPECT_EQ(events.back().data["result"]["data"]["completeness"]["sufficient"], false);
  EXPECT_EQ(events.back().data["result"]["optimization"]["recommendations"].size(), 0u);
  EXPECT_THAT(events.back().data["report"].get<std::string>(),
              HasSubstr("There is not enough data to answer this yet"));
  EXPECT_THAT(events.back().data["report"].get<std::string>(),
              HasSubstr("POST /api/workloads/events"));
  EXPECT_EQ(run_record(request.run_id).status, chat::RunStatus::completed);
}

TEST_P(SupervisorTest, CancellationEndsTheRunBeforeItsNextStep) {
  insert(alice_, known::week());
  FakeCancellingEventSink stopper(*sink_, 2);
  auto& supervisor = start_supervisor({}, &stopper);
  stopper.attach(supervisor);
  const auto request = new_run("How can I cut my LLM costs over the last 7 days?");
  EXPECT_EQ(submit(request), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(request.run_id));
  EXPECT_TRUE(stopper.cancelled());
  // Stopped during the data step: that step finishes, the next never starts.
  EXPECT_EQ(event_trail(request.run_id),
            trail({{"agent_started", "agent_thinking:1", "agent_thinking:2"},
                   kToolCalls,
                   {"agent_error:CANCELLED"}}));
  const auto last = stored_events(alice_, request.run_id).back();
  EXPECT_EQ(last.data["step_number"], 3);
  const auto record = run_record(request.run_id);
  EXPECT_EQ(record.status, chat::RunStatus::cancelled);
  EXPECT_EQ(record.error, "stopped by the user");
  auto messages = run(chat_->messages.list(alice_, request.thread_id, 100, 0, deadline()));
  ASSERT_TRUE(messages);
  EXPECT_TRUE(messages->messages.empty());
  EXPECT_FALSE(supervisor.cancel(request.run_id));  // ended: nothing to stop
}

TEST_P(SupervisorTest, ARunStoppedThroughTheStoreEndsBeforeItsNextStep) {
  insert(alice_, known::week());
  FakeCancellingEventSink stopper(*sink_, 3);
  stopper.stop_through(chat_->runs);
  start_supervisor({}, &stopper);
  const auto request = new_run("How can I cut my LLM costs over the last 7 days?");
  EXPECT_EQ(submit(request), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(request.run_id));
  EXPECT_TRUE(stopper.cancelled());
  EXPECT_EQ(event_trail(request.run_id),
            trail({{"agent_started", "agent_thinking:1", "agent_thinking:2"},
                   kToolCalls,
                   {"agent_thinking:3", "agent_error:CANCELLED"}}));
  EXPECT_EQ(stored_events(alice_, request.run_id).back().data["step_number"], 4);
  EXPECT_EQ(run_record(request.run_id).status, chat::RunStatus::cancelled);
}

TEST_P(SupervisorTest, ARunThatOutlivesItsTimeoutFails) {
  SupervisorOptions options;
  options.run_timeout = std::chrono::milliseconds(0);
  start_supervisor(options);
  const auto request = new_run("How can I cut my LLM costs?");
  EXPECT_EQ(submit(request), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(request.run_id));
  EXPECT_THAT(event_trail(request.run_id), ElementsAre("agent_started", "agent_error:TIMEOUT"));
  const auto record = run_record(request.run_id);
  EXPECT_EQ(record.status, chat::RunStatus::failed);
  EXPECT_EQ(record.error, "the run timed out after 0 ms");
}

TEST_P(SupervisorTest, AnalyticsThatCannotBeReadFailTheRunAndSayWhy) {
  auto dropped = run(db_->query("DROP TABLE workload_events", {}, deadline()));
  ASSERT_TRUE(dropped) << dropped.error().message;
  start_supervisor();
  const auto request = new_run("How can I cut my LLM costs?");
  EXPECT_EQ(submit(request), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(request.run_id));
  EXPECT_THAT(event_trail(request.run_id),
              ElementsAre("agent_started", "agent_thinking:1", "agent_thinking:2", "tool_executing",
                          "tool_completed", "agent_error:DATA_UNAVAILABLE"));
  const auto last = stored_events(alice_, request.run_id).back();
  const auto message = last.data["message"].get<std::string>();
  EXPECT_THAT(message, HasSubstr("the workload analytics (embedded) could not be read"));
  // The user hears what failed, never the database's own words (table names, SQL, hosts): the
  // log keeps those.
  EXPECT_THAT(message, Not(HasSubstr("workload_events")));
  EXPECT_THAT(message, Not(HasSubstr("no such table")));
  EXPECT_THAT(message, Not(HasSubstr("does not exist")));
  const auto record = run_record(request.run_id);
  EXPECT_EQ(record.status, chat::RunStatus::failed);
  EXPECT_EQ(record.error, message);
}

INSTANTIATE_TEST_SUITE_P(Backends, SupervisorTest, ::testing::ValuesIn(chat::backends()));

}  // namespace
}  // namespace netra::agents
