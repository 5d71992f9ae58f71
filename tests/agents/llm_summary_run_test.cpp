// A run with a language model phrasing its summary, against a fake OpenAI-compatible server: the
// model's text in the report with the tables computed, the call between tool events of the
// reporting step — and when the model fails, times out or makes up a figure, the computed summary
// and a completed run, the failure in tool_completed, the key nowhere in what was stored.
#include <gmock/gmock.h>

#include "agents/chat_completions_client.hpp"
#include "fake_chat_completions_server.hpp"
#include "supervisor_fixture.hpp"

namespace netra::agents {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kKey = "sk-run-5ecret-key-9876543210";
constexpr const char* kRequest = "How can I cut my LLM costs over the last 7 days?";
// Figures the facts of the known week hold: the period and the number of calls.
constexpr const char* kPhrased = "Over the last 7 days your workloads made 9,140 calls.";

class LlmSummaryRunTest : public SupervisorTest {
 protected:
  void TearDown() override {
    // The runs end, then the client goes, then the loops its connections belong to.
    if (supervisor_) run(supervisor_->stop(std::chrono::seconds(10)));
    supervisor_.reset();
    client_.reset();
    http_.reset();
    SupervisorTest::TearDown();
  }

  void start(std::chrono::milliseconds timeout = 5s) {
    LlmSettings settings;
    settings.url = fake_.base_url();
    settings.model = "fake-model";
    settings.api_key = std::string(kKey);
    settings.timeout = timeout;
    client_ = std::make_unique<ChatCompletionsClient>(*http_, settings);
    start_supervisor({}, nullptr, client_.get());
  }

  // Submits the request over the known week and waits for its last event.
  RunRequest run_to_end() {
    const auto request = new_run(kRequest);
    EXPECT_EQ(submit(request), Admission::started);
    EXPECT_TRUE(delivered_.wait_for_end(request.run_id));
    return request;
  }

  // The reporting step's events: agent_thinking:5, then the llm_summary tool events.
  std::vector<chat::AgentEvent> summary_events(const std::string& run_id) {
    std::vector<chat::AgentEvent> out;
    for (const auto& e : stored_events(alice_, run_id)) {
      // The reporting step's own events, not the report it then sends in chunks.
      if (e.agent_name == "reporting" && e.type != chat::AgentEventType::agent_response_chunk) {
        out.push_back(e);
      }
    }
    return out;
  }

  // Neither the report nor any stored event carries the key.
  void expect_no_key(const std::string& run_id) {
    for (const auto& e : stored_events(alice_, run_id)) {
      EXPECT_THAT(e.data.dump(), Not(HasSubstr("5ecret"))) << chat::to_string(e.type);
    }
  }

  std::string report_of(const std::string& run_id) {
    return stored_events(alice_, run_id).back().data["report"].get<std::string>();
  }

  // The run failed to phrase its summary and completed with the computed one.
  void expect_fallback(const RunRequest& request, const std::string& code) {
    const auto trail = event_trail(request.run_id);
    EXPECT_EQ(trail.back(), "agent_completed");
    EXPECT_EQ(std::count(trail.begin(), trail.end(), "agent_error"), 0);
    EXPECT_EQ(run_record(request.run_id).status, chat::RunStatus::completed);
    const auto events = summary_events(request.run_id);
    ASSERT_EQ(events.size(), 3u);
    const auto& completed = events[2].data;
    EXPECT_EQ(completed["tool"], "llm_summary");
    EXPECT_FALSE(completed.contains("result"));
    EXPECT_EQ(completed["error"]["code"], code);
    EXPECT_EQ(completed["error"]["fallback"], "the computed summary");
    const auto report = report_of(request.run_id);
    EXPECT_THAT(report, HasSubstr("## Summary\n\n- The changes below could save about **"));
    EXPECT_THAT(report, Not(HasSubstr("phrased by")));
    EXPECT_EQ(applied_chunks(request.run_id), report) << "the chunks take back what was refused";
    expect_no_key(request.run_id);
  }

  // The run's events between tool_executing and tool_completed of llm_summary: the summary's
  // chunks as the model wrote it.
  std::vector<chat::AgentEvent> streamed_chunks(const std::string& run_id) {
    std::vector<chat::AgentEvent> out;
    bool asking = false;
    for (const auto& e : stored_events(alice_, run_id)) {
      if (e.type == chat::AgentEventType::tool_executing) asking = e.data["tool"] == "llm_summary";
      if (e.type == chat::AgentEventType::tool_completed) asking = false;
      if (asking && e.type == chat::AgentEventType::agent_response_chunk) out.push_back(e);
    }
    return out;
  }

  FakeChatCompletionsServer fake_;
  std::unique_ptr<net::HttpClient> http_ = std::make_unique<net::HttpClient>();
  std::unique_ptr<ChatCompletionsClient> client_;
};

TEST_P(LlmSummaryRunTest, TheModelPhrasesTheSummaryFromTheFigures) {
  insert(alice_, known::week());
  fake_.reply_with(FakeChatCompletionsServer::completion(kPhrased));
  start();
  const auto request = run_to_end();

  // The report's lead goes out before the model is asked; a provider that answers whole (this
  // one ignores `stream: true`) adds nothing until its reply passed the checks.
  const auto trail = event_trail(request.run_id);
  ASSERT_GE(trail.size(), 6u);
  EXPECT_THAT(std::vector<std::string>(trail.end() - 6, trail.end()),
              ElementsAre("agent_thinking:5", "agent_response_chunk*", "tool_executing",
                          "tool_completed", "agent_response_chunk*", "agent_completed"));
  EXPECT_EQ(applied_chunks(request.run_id), report_of(request.run_id));
  const auto events = summary_events(request.run_id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].data["tool"], "llm_summary");
  EXPECT_EQ(events[1].data["parameters"]["model"], "fake-model");
  EXPECT_EQ(events[2].data["result"]["model"], "fake-model");
  EXPECT_EQ(events[2].data["result"]["summary"], kPhrased);

  const auto report = report_of(request.run_id);
  EXPECT_THAT(report, HasSubstr(std::string("## Summary\n\n") + kPhrased +
                                "\n\n_Summary phrased "
                                "by `fake-model` from the figures below"));
  EXPECT_THAT(report, HasSubstr("### R1. Trim the prompts of `rag-search`"));
  auto messages = run(chat_->messages.list(alice_, request.thread_id, 100, 0, deadline()));
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages->messages.size(), 1u);
  EXPECT_EQ(messages->messages[0].content, report);
  EXPECT_EQ(messages->messages[0].metadata["summary_phrased_by"], "fake-model");

  // The request: the key as a Bearer token, the model, and the facts.
  const auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].authorization, "Bearer " + std::string(kKey));
  EXPECT_EQ(seen[0].body["model"], "fake-model");
  const auto facts =
      nlohmann::json::parse(seen[0].body["messages"][1]["content"].get<std::string>());
  EXPECT_EQ(facts["calls"], "9,140");
  EXPECT_EQ(facts["period"]["label"], "last 7 days");
  EXPECT_EQ(facts["top_recommendations"][0]["id"], "R1");
  expect_no_key(request.run_id);
}

// The model's summary streams into the report while it writes: each piece a chunk, sent before
// the model finished, right after the report's lead; the report stored is what they build.
TEST_P(LlmSummaryRunTest, TheSummaryStreamsAsTheModelWritesIt) {
  insert(alice_, known::week());
  fake_.reply_with(FakeChatCompletionsServer::streamed(
      {"Over the last ", "7 days your ", "workloads made ", "9,140 calls."}, 100ms));
  start();
  const auto request = run_to_end();
  const auto report = report_of(request.run_id);
  EXPECT_THAT(report, HasSubstr(std::string("## Summary\n\n") + kPhrased + "\n\n_Summary phrased"));
  EXPECT_EQ(applied_chunks(request.run_id), report);
  const auto pieces = streamed_chunks(request.run_id);
  ASSERT_GE(pieces.size(), 3u) << "the summary did not stream";
  std::string streamed;
  for (const auto& p : pieces) streamed += p.data["text"].get<std::string>();
  EXPECT_EQ(streamed, kPhrased);
  const auto lead = report.substr(0, report.find(kPhrased));
  EXPECT_EQ(pieces.front().data["offset"], lead.size());
  // 100 ms between the model's pieces: the first was out well before the last was written.
  const auto first = delivered_.arrival(request.run_id, pieces.front().seq);
  const auto last = delivered_.arrival(request.run_id, pieces.back().seq);
  ASSERT_TRUE(first && last);
  EXPECT_GE(*last - *first, 150ms);
  EXPECT_EQ(fake_.requests().at(0).body["stream"], true);
}

// A streamed summary the checks refuse at its end (a figure the facts do not hold) is taken back:
// the next chunk starts where the model's text did, with the computed summary.
TEST_P(LlmSummaryRunTest, AStreamedSummaryThatFailsTheChecksIsTakenBack) {
  insert(alice_, known::week());
  fake_.reply_with(FakeChatCompletionsServer::streamed(
      {"Over the last ", "7 days you could ", "save $1,000,000."}, 20ms));
  start();
  const auto request = run_to_end();
  expect_fallback(request, "unchecked_figures");
  const auto pieces = streamed_chunks(request.run_id);
  ASSERT_FALSE(pieces.empty());
  const auto rewound = pieces.front().data["offset"].get<size_t>();
  bool taken_back = false;
  for (const auto& e : stored_events(alice_, request.run_id)) {
    if (e.type == chat::AgentEventType::agent_response_chunk &&
        e.data["index"] > pieces.back().data["index"])
      taken_back = taken_back || e.data["offset"].get<size_t>() <= rewound;
  }
  EXPECT_TRUE(taken_back) << "no chunk went back to where the model's text began";
}

TEST_P(LlmSummaryRunTest, AModelThatAnswersTooLateLeavesTheComputedSummary) {
  insert(alice_, known::week());
  fake_.reply_with({200, FakeChatCompletionsServer::completion(kPhrased).body, 10s});
  start(300ms);
  const auto started = std::chrono::steady_clock::now();
  const auto request = run_to_end();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s) << "the run waited for the model";
  expect_fallback(request, "timeout");
  EXPECT_GE(summary_events(request.run_id)[2].data["duration_ms"].get<int64_t>(), 250);
}

TEST_P(LlmSummaryRunTest, AServerErrorLeavesTheComputedSummary) {
  insert(alice_, known::week());
  fake_.reply_with({500, R"({"error":{"message":"overloaded","type":"server_error"}})", 0ms});
  start();
  const auto request = run_to_end();
  expect_fallback(request, "http_status");
  EXPECT_EQ(summary_events(request.run_id)[2].data["error"]["status"], 500);
}

TEST_P(LlmSummaryRunTest, ARefusedKeyLeavesTheComputedSummaryAndIsNotRepeated) {
  insert(alice_, known::week());
  fake_.reply_with({401,
                    R"({"error":{"message":"Incorrect API key provided: sk-run-5ecret***3210",)"
                    R"("code":"invalid_api_key"}})",
                    0ms});
  start();
  const auto request = run_to_end();
  expect_fallback(request, "http_status");
  EXPECT_THAT(summary_events(request.run_id)[2].data["error"]["message"].get<std::string>(),
              HasSubstr("HTTP 401 (invalid_api_key)"));
}

TEST_P(LlmSummaryRunTest, MalformedAnswersLeaveTheComputedSummary) {
  insert(alice_, known::week());
  fake_.reply_with({200, "not json", 0ms});
  start();
  expect_fallback(run_to_end(), "bad_response");
  fake_.reply_with({200, R"({"choices":[]})", 0ms});
  expect_fallback(run_to_end(), "bad_response");
}

TEST_P(LlmSummaryRunTest, AFigureTheFactsDoNotHoldLeavesTheComputedSummary) {
  insert(alice_, known::week());
  fake_.reply_with(FakeChatCompletionsServer::completion("You could save $1,000,000 a month."));
  start();
  const auto request = run_to_end();
  expect_fallback(request, "unchecked_figures");
  EXPECT_THAT(summary_events(request.run_id)[2].data["error"]["message"].get<std::string>(),
              HasSubstr("1000000"));
}

TEST_P(LlmSummaryRunTest, WithTooLittleDataTheModelIsNotAsked) {
  start();
  const auto request = run_to_end();
  EXPECT_EQ(event_trail(request.run_id).back(), "agent_completed");
  EXPECT_EQ(summary_events(request.run_id).size(), 1u) << "agent_thinking:5 only";
  EXPECT_TRUE(fake_.requests().empty());
  EXPECT_THAT(report_of(request.run_id), HasSubstr("There is not enough data"));
}

INSTANTIATE_TEST_SUITE_P(Backends, LlmSummaryRunTest, ::testing::ValuesIn(chat::backends()));

}  // namespace
}  // namespace netra::agents
