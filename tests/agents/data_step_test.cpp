// The data step over the embedded analytics store and the real run event sink: the queries it
// makes (each a tool call, stored as run steps), what it reads back (checked against sums made
// here), each workload's model mix, and how complete the data is — or why it is not enough.
#include "agents/data_step.hpp"

#include <gmock/gmock.h>

#include <map>

#include "agents/time_window.hpp"
#include "agents_test_fixture.hpp"
#include "analytics/clickhouse_store.hpp"
#include "analytics/fallback_store.hpp"
#include "net/http_client.hpp"

namespace netra::agents {
namespace {

constexpr int64_t kTo = 1'718'409'600'000;  // 2024-06-15 00:00 UTC
constexpr int64_t kFrom = kTo - 7 * kDayMs;

class DataStepTest : public AgentsTest {
 protected:
  analytics::AnalyticsResult<DataSnapshot> collect(analytics::TimeRange range,
                                                   std::vector<std::string> workloads = {},
                                                   std::vector<std::string> models = {}) {
    const auto thread = must_thread(alice_);
    run_ = must_run(alice_, thread.id);
    chat::RunEventSink sink(chat_->runs, [](const chat::AgentEvent&) {});
    RunEmitter emitter(sink, {run_.id, run_.thread_id, alice_}, std::chrono::seconds(10));
    DataRequest request{alice_, range, std::move(models), std::move(workloads)};
    return run(collect_data(*analytics_, emitter, std::move(request), deadline()));
  }

  chat::Run run_;
};

// 300 classifier calls on gpt-4o, 150 summarizer calls on claude-3-5-sonnet and 50 on gpt-4o,
// one every ~20 minutes over the 7 days; a third of the classifier's prompts repeat.
std::vector<analytics::WorkloadEvent> week_of_calls() {
  std::vector<analytics::WorkloadEvent> out;
  for (int i = 0; i < 500; ++i) {
    const int64_t t = kFrom + static_cast<int64_t>(i) * (7 * kDayMs / 500);
    if (i < 300) {
      auto e = call(t, "classifier", "gpt-4o", 400 + i % 7, 20, 700 + i % 50, 0.0012);
      e.prompt_hash = i % 3 == 0 ? "p" + std::to_string(i % 10) : "u" + std::to_string(i);
      out.push_back(e);
    } else if (i < 450) {
      out.push_back(call(t, "summarizer", "claude-3-5-sonnet", 3000, 400, 2500, 0.015));
    } else {
      out.push_back(call(t, "summarizer", "gpt-4o", 3000, 400, 1800, 0.0115));
    }
  }
  return out;
}

// ClickHouse is live but answers nothing (nobody listens on its port): every query falls back to
// the embedded store, and the snapshot and each tool_completed say so, although the store named
// ClickHouse when the step began.
TEST_P(DataStepTest, TheSourceIsTheBackendThatAnsweredEachQuery) {
  insert(alice_, week_of_calls());
  auto client = std::make_shared<net::HttpClient>();
  analytics::ClickHouseOptions options;
  options.url = "http://127.0.0.1:1";
  auto clickhouse = std::make_shared<analytics::ClickHouseStore>(options, client);
  auto embedded = std::make_shared<analytics::EmbeddedAnalyticsStore>(*db_);
  analytics::FallbackAnalyticsStore store(clickhouse, embedded, std::chrono::seconds(2));
  store.set_clickhouse_live(true);
  ASSERT_EQ(store.backend(), "clickhouse");

  const auto thread = must_thread(alice_);
  run_ = must_run(alice_, thread.id);
  chat::RunEventSink sink(chat_->runs, [](const chat::AgentEvent&) {});
  RunEmitter emitter(sink, {run_.id, run_.thread_id, alice_}, std::chrono::seconds(10));
  DataRequest request{alice_, {kFrom, kTo}, {}, {}};
  auto snap = run(collect_data(store, emitter, std::move(request), deadline()));
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_EQ(snap->backend, "embedded");
  EXPECT_EQ(snap->by_workload.size(), 2u);
  size_t completed = 0;
  for (const auto& e : stored_events(alice_, run_.id)) {
    if (e.type == chat::AgentEventType::tool_executing) {
      EXPECT_EQ(e.data["parameters"]["backend"], "clickhouse") << "where the query was sent";
    }
    if (e.type != chat::AgentEventType::tool_completed) continue;
    ++completed;
    EXPECT_EQ(e.data["result"]["backend"], "embedded") << e.data.dump();
  }
  EXPECT_EQ(completed, 5u);
}

TEST_P(DataStepTest, RunsEachQueryAsAToolCallAndReadsTheWindow) {
  const auto events = week_of_calls();
  insert(alice_, events);
  auto snap = collect({kFrom, kTo});
  ASSERT_TRUE(snap) << snap.error().message;

  // The sums, made here from the events.
  std::map<std::string, std::pair<int64_t, double>> by_model;
  for (const auto& e : events) {
    by_model[e.model].first += 1;
    by_model[e.model].second += e.cost_usd;
  }
  ASSERT_EQ(snap->by_model.size(), by_model.size());
  for (const auto& g : snap->by_model) {
    EXPECT_EQ(g.requests, by_model[g.key].first) << g.key;
    EXPECT_NEAR(g.cost_usd, by_model[g.key].second, 1e-9) << g.key;
  }
  ASSERT_EQ(snap->by_workload.size(), 2u);
  EXPECT_EQ(snap->by_workload[0].key, "classifier");
  EXPECT_EQ(snap->by_workload[0].requests, 300);
  EXPECT_EQ(snap->backend, "embedded");
  EXPECT_EQ(snap->bucket_ms, kHourMs);
  EXPECT_TRUE(snap->sample_complete);
  EXPECT_TRUE(snap->notes.empty());
  // p0..p9 repeat: i % 3 == 0 and i % 10 == k gives 10 hashes of 10 calls each.
  ASSERT_EQ(snap->repeated_prompts.size(), 10u);
  for (const auto& r : snap->repeated_prompts) EXPECT_EQ(r.requests, 10);

  // The summarizer's model mix, from the sample, adds up to the workload.
  ASSERT_EQ(snap->workload_models.size(), 3u);
  const auto& sonnet = snap->workload_models[1];
  EXPECT_EQ(sonnet.workload_id, "summarizer");
  EXPECT_EQ(sonnet.model, "claude-3-5-sonnet");
  EXPECT_DOUBLE_EQ(sonnet.requests, 150);
  EXPECT_DOUBLE_EQ(sonnet.input_tokens, 150 * 3000);
  EXPECT_NEAR(sonnet.cost_usd, 150 * 0.015, 1e-9);
  EXPECT_EQ(snap->workload_models[2].model, "gpt-4o");
  EXPECT_DOUBLE_EQ(snap->workload_models[2].requests, 50);

  const auto& c = snap->completeness;
  EXPECT_TRUE(c.sufficient) << c.reason;
  EXPECT_EQ(c.events, 500);
  EXPECT_EQ(c.days_covered, 7);
  EXPECT_EQ(c.window_days, 7);
  EXPECT_EQ(c.sampled_events, 500);
  // Every field but prompt_hash is always filled; 300 of 500 calls carry a hash.
  ASSERT_EQ(c.fields.size(), 5u);
  EXPECT_EQ(c.fields[4].field, "prompt_hash");
  EXPECT_DOUBLE_EQ(c.fields[4].share, 300.0 / 500.0);
  const double expected_score = 0.4 * 0.5 + 0.3 * 1.0 + 0.3 * (4 + 0.6) / 5;
  EXPECT_DOUBLE_EQ(c.score, std::round(expected_score * 100) / 100);

  // Five tool calls, each a tool_executing then a tool_completed, in query order.
  const auto stored = stored_events(alice_, run_.id);
  ASSERT_EQ(stored.size(), 10u);
  const std::vector<std::string> tools = {"analytics.summary", "analytics.summary",
                                          "analytics.repeated_prompts", "analytics.timeline",
                                          "analytics.events"};
  for (size_t i = 0; i < tools.size(); ++i) {
    const auto& started = stored[2 * i];
    const auto& done = stored[2 * i + 1];
    SCOPED_TRACE(tools[i]);
    EXPECT_EQ(started.type, chat::AgentEventType::tool_executing);
    EXPECT_EQ(done.type, chat::AgentEventType::tool_completed);
    EXPECT_EQ(started.agent_name, "data");
    EXPECT_EQ(started.data["tool"], tools[i]);
    EXPECT_EQ(done.data["tool"], tools[i]);
    EXPECT_EQ(started.data["parameters"]["from_ms"], kFrom);
    EXPECT_EQ(started.data["parameters"]["to_ms"], kTo);
    EXPECT_EQ(started.data["parameters"]["backend"], "embedded");
    EXPECT_TRUE(done.data.contains("result"));
    EXPECT_TRUE(done.data["duration_ms"].is_number_integer());
  }
  EXPECT_EQ(stored[0].data["parameters"]["group_by"], "model");
  EXPECT_EQ(stored[1].data["result"]["requests"], 500);
  EXPECT_EQ(stored[2].data["parameters"]["group_by"], "workload");
  EXPECT_EQ(stored[3].data["result"]["groups"], 2);
  EXPECT_EQ(stored[7].data["result"]["requests"], 500);
  EXPECT_EQ(stored[9].data["result"]["events"], 500);
}

TEST_P(DataStepTest, OnlyTheWindowAndTheCallersEventsCount) {
  auto events = week_of_calls();
  events.push_back(call(kFrom - 1, "classifier", "gpt-4o", 1, 1, 1, 1));
  events.push_back(call(kTo, "classifier", "gpt-4o", 1, 1, 1, 1));
  insert(alice_, events);
  insert(bob_, week_of_calls());
  auto snap = collect({kFrom, kTo});
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_EQ(snap->completeness.events, 500);
}

TEST_P(DataStepTest, NamedWorkloadsAndModelsWithoutEventsAreNoted) {
  insert(alice_, week_of_calls());
  auto snap = collect({kFrom, kTo}, {"classifier", "wl_missing"}, {"gpt-4o", "gemini-1.5-pro"});
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_THAT(snap->notes,
              ::testing::ElementsAre("no events for workload `wl_missing` in this window",
                                     "no events for model gemini-1.5-pro in this window"));
}

TEST_P(DataStepTest, TooFewEventsAreNotEnough) {
  std::vector<analytics::WorkloadEvent> few;
  for (int i = 0; i < 50; ++i) few.push_back(call(kFrom + i * kHourMs, "a", "gpt-4o", 10, 1, 5, 1));
  insert(alice_, few);
  auto snap = collect({kFrom, kTo});
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_FALSE(snap->completeness.sufficient);
  EXPECT_EQ(snap->completeness.reason,
            "there are only 50 workload events in this window; an analysis needs at least 100");
}

TEST_P(DataStepTest, OneBurstIsNotEnough) {
  std::vector<analytics::WorkloadEvent> burst;
  for (int i = 0; i < 500; ++i) {
    burst.push_back(call(kFrom + 3 * kDayMs + i * 20'000, "a", "gpt-4o", 10, 1, 5, 1));
  }
  insert(alice_, burst);  // 500 calls within 10,000 s: three hourly buckets
  auto snap = collect({kFrom, kTo});
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_FALSE(snap->completeness.sufficient);
  EXPECT_EQ(snap->completeness.span_ms, 3 * kHourMs);
  EXPECT_EQ(snap->completeness.reason,
            "the events span only 3 hours; an analysis needs them spread over at least 24 hours");
  EXPECT_EQ(snap->completeness.days_covered, 1);
}

TEST_P(DataStepTest, NoEventsAtAll) {
  auto snap = collect({kFrom, kTo});
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_FALSE(snap->completeness.sufficient);
  EXPECT_EQ(snap->completeness.reason, "there are no workload events in this window");
  EXPECT_EQ(snap->completeness.score, 0);
  EXPECT_THAT(ingest_instructions(), ::testing::HasSubstr("POST /api/workloads/events"));
}

TEST_P(DataStepTest, AFailedQueryEndsTheStepAfterReportingIt) {
  auto snap = collect({kTo, kFrom});  // the store refuses a range that ends before it starts
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().code, analytics::AnalyticsErrorCode::invalid);
  const auto stored = stored_events(alice_, run_.id);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].type, chat::AgentEventType::tool_completed);
  EXPECT_EQ(stored[1].data["error"]["code"], "invalid");
}

TEST(TimelineBucket, AnHourUnlessThatMakesTooManyBuckets) {
  EXPECT_EQ(timeline_bucket_ms({0, 30 * kDayMs}), kHourMs);
  EXPECT_EQ(timeline_bucket_ms({0, 9'999 * kHourMs - 1}), kHourMs);
  const analytics::TimeRange two_years{0, 730 * kDayMs};
  const int64_t bucket = timeline_bucket_ms(two_years);
  EXPECT_EQ(bucket % kHourMs, 0);
  EXPECT_LT((two_years.to_ms - two_years.from_ms) / bucket, analytics::kMaxBuckets);
  EXPECT_FALSE(analytics::check_bucket(two_years, bucket).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, DataStepTest, ::testing::ValuesIn(chat::backends()));

}  // namespace
}  // namespace netra::agents
