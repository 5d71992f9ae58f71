// One set of assertions for every AnalyticsStore backend: a generated dataset goes in, and the
// sums, counts and exact percentiles that come out must equal an independent computation over
// the same events here; users never see each other's events; hostile text round-trips.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "analytics_store_fixture.hpp"

namespace netra::analytics {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kFrom = 1'717'200'000'000;  // 2024-06-01 UTC
constexpr int64_t kTo = kFrom + 30 * kDay;

// Sums of doubles in another order differ in the last bits: costs agree to 1e-9 relative.
void expect_cost_near(double expected, double actual, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::abs(expected))) << what;
}

// Realistic enough: several models at different prices, heavy-tailed tokens and latencies,
// errors, cache hits and a share of repeated prompts; deterministic by seed.
std::vector<WorkloadEvent> generate(size_t n, uint64_t seed, const std::string& model_prefix) {
  std::mt19937_64 rng(seed);
  const std::vector<std::pair<std::string, std::string>> models = {
      {"openai", model_prefix + "gpt-4o"},
      {"openai", model_prefix + "gpt-4o-mini"},
      {"anthropic", model_prefix + "claude-3-5-sonnet"},
      {"anthropic", model_prefix + "claude-3-haiku"}};
  const std::vector<std::string> workloads = {"support-bot", "summarizer", "classifier"};
  std::lognormal_distribution<double> tokens(6.0, 1.0);
  std::lognormal_distribution<double> latency(6.5, 0.8);
  std::uniform_int_distribution<int64_t> when(kFrom, kTo - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<WorkloadEvent> out(n);
  for (auto& e : out) {
    const auto& [provider, model] = models[rng() % models.size()];
    e.timestamp_ms = when(rng);
    e.provider = provider;
    e.model = model;
    e.workload_id = workloads[rng() % workloads.size()];
    e.input_tokens = std::min<int64_t>(kMaxTokens, static_cast<int64_t>(tokens(rng)));
    e.output_tokens = std::min<int64_t>(kMaxTokens, static_cast<int64_t>(tokens(rng) / 4));
    e.latency_ms = std::min<int64_t>(kMaxLatencyMs, static_cast<int64_t>(latency(rng)));
    e.cost_usd = static_cast<double>(e.input_tokens) * 2.5e-6 + e.output_tokens * 1e-5;
    e.status = unit(rng) < 0.08 ? EventStatus::error : EventStatus::ok;
    if (e.status == EventStatus::error) e.error_type = unit(rng) < 0.5 ? "rate_limit" : "timeout";
    e.cached = unit(rng) < 0.15;
    // A third of the calls repeat one of 40 prompts; the rest are unique.
    if (unit(rng) < 0.33)
      e.prompt_hash = "p" + std::to_string(rng() % 40);
    else
      e.prompt_hash = "u" + std::to_string(rng());
    e.tags = {{"env", unit(rng) < 0.5 ? "prod" : "staging"}};
  }
  return out;
}

std::string key_of(const WorkloadEvent& e, GroupBy group_by) {
  switch (group_by) {
    case GroupBy::model:
      return e.model;
    case GroupBy::workload:
      return e.workload_id;
    case GroupBy::provider:
      return e.provider;
  }
  return "";
}

// The independent computation: group in a std::map, sort latencies, pick floor(n·level).
std::vector<GroupSummary> expected_summary(const std::vector<WorkloadEvent>& events,
                                           TimeRange range, GroupBy group_by) {
  std::map<std::string, std::vector<const WorkloadEvent*>> groups;
  for (const auto& e : events) {
    if (e.timestamp_ms >= range.from_ms && e.timestamp_ms < range.to_ms) {
      groups[key_of(e, group_by)].push_back(&e);
    }
  }
  std::vector<GroupSummary> out;
  for (const auto& [key, members] : groups) {
    GroupSummary g;
    g.key = key;
    std::vector<int64_t> latencies;
    for (const auto* e : members) {
      ++g.requests;
      g.input_tokens += e->input_tokens;
      g.output_tokens += e->output_tokens;
      g.cost_usd += e->cost_usd;
      g.errors += e->status == EventStatus::error ? 1 : 0;
      g.cached += e->cached ? 1 : 0;
      latencies.push_back(e->latency_ms);
    }
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double level) {
      return latencies[static_cast<size_t>(
          std::floor(level * static_cast<double>(latencies.size())))];
    };
    g.latency_p50_ms = at(0.5);
    g.latency_p95_ms = at(0.95);
    g.latency_p99_ms = at(0.99);
    g.error_rate = static_cast<double>(g.errors) / static_cast<double>(g.requests);
    g.cache_rate = static_cast<double>(g.cached) / static_cast<double>(g.requests);
    out.push_back(g);
  }
  return out;
}

void expect_same_summary(const std::vector<GroupSummary>& expected,
                         const std::vector<GroupSummary>& actual) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& e = expected[i];
    const auto& a = actual[i];
    SCOPED_TRACE(e.key);
    EXPECT_EQ(a.key, e.key);
    EXPECT_EQ(a.requests, e.requests);
    EXPECT_EQ(a.input_tokens, e.input_tokens);
    EXPECT_EQ(a.output_tokens, e.output_tokens);
    expect_cost_near(e.cost_usd, a.cost_usd, "cost");
    EXPECT_EQ(a.latency_p50_ms, e.latency_p50_ms);
    EXPECT_EQ(a.latency_p95_ms, e.latency_p95_ms);
    EXPECT_EQ(a.latency_p99_ms, e.latency_p99_ms);
    EXPECT_EQ(a.errors, e.errors);
    EXPECT_EQ(a.cached, e.cached);
    EXPECT_DOUBLE_EQ(a.error_rate, e.error_rate);
    EXPECT_DOUBLE_EQ(a.cache_rate, e.cache_rate);
  }
}

TEST_P(AnalyticsStoreTest, SummariesEqualAnIndependentComputation) {
  auto events = generate(kMaxBatchEvents, 7, "");
  auto stored = run(store_->insert("usr_alice", events, deadline()));
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored.value(), kMaxBatchEvents);
  for (GroupBy group_by : {GroupBy::model, GroupBy::workload, GroupBy::provider}) {
    SCOPED_TRACE(std::string(to_string(group_by)));
    // The whole month, then a window whose edges cut through the data.
    for (TimeRange range :
         {TimeRange{kFrom, kTo}, TimeRange{kFrom + 3 * kDay + 17, kFrom + 9 * kDay}}) {
      auto summary = run(store_->summary("usr_alice", range, group_by, deadline()));
      ASSERT_TRUE(summary) << summary.error().message;
      expect_same_summary(expected_summary(events, range, group_by), summary.value());
    }
  }
}

TEST_P(AnalyticsStoreTest, RangesIncludeFromAndExcludeTo) {
  auto events = generate(3, 1, "");
  events[0].timestamp_ms = kFrom;
  events[1].timestamp_ms = kFrom + kDay - 1;
  events[2].timestamp_ms = kFrom + kDay;
  ASSERT_TRUE(run(store_->insert("usr_alice", events, deadline())));
  auto inside = run(store_->events("usr_alice", TimeRange{kFrom, kFrom + kDay}, 100, deadline()));
  ASSERT_TRUE(inside) << inside.error().message;
  ASSERT_EQ(inside->size(), 2u);
  EXPECT_EQ(inside.value()[0].timestamp_ms, kFrom);
  EXPECT_EQ(inside.value()[1].timestamp_ms, kFrom + kDay - 1);
}

TEST_P(AnalyticsStoreTest, UsersNeverSeeEachOthersEvents) {
  ASSERT_TRUE(run(store_->insert("usr_alice", generate(500, 1, "a-"), deadline())));
  ASSERT_TRUE(run(store_->insert("usr_bob", generate(200, 2, "b-"), deadline())));
  auto bob = run(store_->summary("usr_bob", TimeRange{kFrom, kTo}, GroupBy::model, deadline()));
  ASSERT_TRUE(bob) << bob.error().message;
  int64_t requests = 0;
  for (const auto& g : bob.value()) {
    EXPECT_THAT(g.key, ::testing::StartsWith("b-"));
    requests += g.requests;
  }
  EXPECT_EQ(requests, 200);
  auto bob_events = run(store_->events("usr_bob", TimeRange{kFrom, kTo}, 10'000, deadline()));
  ASSERT_TRUE(bob_events);
  EXPECT_EQ(bob_events->size(), 200u);
  for (const auto& e : bob_events.value()) EXPECT_EQ(e.user_id, "usr_bob");
  // A user id that is a prefix of another's, or differs in case, sees nothing.
  for (std::string stranger : {"usr_bo", "USR_BOB", "usr_bob "}) {
    auto none = run(store_->summary(stranger, TimeRange{kFrom, kTo}, GroupBy::model, deadline()));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty()) << stranger;
  }
}

TEST_P(AnalyticsStoreTest, RepeatedPromptsAreCountedPerWorkload) {
  auto events = generate(2000, 3, "");
  ASSERT_TRUE(run(store_->insert("usr_alice", events, deadline())));
  std::map<std::pair<std::string, std::string>, RepeatedPrompt> expected;
  for (const auto& e : events) {
    auto& r = expected[{e.workload_id, e.prompt_hash}];
    r.workload_id = e.workload_id;
    r.prompt_hash = e.prompt_hash;
    ++r.requests;
    r.cached += e.cached ? 1 : 0;
    r.cost_usd += e.cost_usd;
  }
  std::erase_if(expected, [](const auto& entry) { return entry.second.requests < 2; });
  auto found =
      run(store_->repeated_prompts("usr_alice", TimeRange{kFrom, kTo}, 10'000, deadline()));
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), expected.size());
  for (size_t i = 1; i < found->size(); ++i) {
    EXPECT_GE(found.value()[i - 1].requests, found.value()[i].requests) << "most requests first";
  }
  for (const auto& r : found.value()) {
    const auto& e = expected.at({r.workload_id, r.prompt_hash});
    EXPECT_EQ(r.requests, e.requests);
    EXPECT_EQ(r.cached, e.cached);
    expect_cost_near(e.cost_usd, r.cost_usd, r.prompt_hash);
  }
  auto top = run(store_->repeated_prompts("usr_alice", TimeRange{kFrom, kTo}, 3, deadline()));
  ASSERT_TRUE(top);
  EXPECT_EQ(top->size(), 3u);
}

TEST_P(AnalyticsStoreTest, TimelineBucketsEqualAnIndependentComputation) {
  auto events = generate(3000, 4, "");
  ASSERT_TRUE(run(store_->insert("usr_alice", events, deadline())));
  const int64_t bucket = 6 * 3'600'000;
  const TimeRange range{kFrom + 5 * kDay, kFrom + 12 * kDay};
  std::map<int64_t, TimeBucket> expected;
  for (const auto& e : events) {
    if (e.timestamp_ms < range.from_ms || e.timestamp_ms >= range.to_ms) continue;
    const int64_t start = range.from_ms + (e.timestamp_ms - range.from_ms) / bucket * bucket;
    auto& b = expected[start];
    b.start_ms = start;
    ++b.requests;
    b.errors += e.status == EventStatus::error ? 1 : 0;
    b.cost_usd += e.cost_usd;
  }
  auto found = run(store_->timeline("usr_alice", range, bucket, deadline()));
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), expected.size());
  auto it = expected.begin();
  for (const auto& b : found.value()) {
    EXPECT_EQ(b.start_ms, it->second.start_ms);
    EXPECT_EQ(b.requests, it->second.requests);
    EXPECT_EQ(b.errors, it->second.errors);
    expect_cost_near(it->second.cost_usd, b.cost_usd, "bucket cost");
    ++it;
  }
}

// Every character class the literal formatter escapes, in the user id (a WHERE literal) and in
// the stored text (JSON rows for ClickHouse, bound parameters for the embedded store).
TEST_P(AnalyticsStoreTest, HostileTextRoundTrips) {
  const std::string user = "usr_'; DROP TABLE x; --\\\"\n\t日本";
  const std::vector<std::string> hostile = {"it's",     "back\\slash", "\\'",        "\"dq\"",
                                            "l1\nl2\r", "tab\there",   "日本語 🎉",   "`x`",
                                            "?",        "\x01\x1f",    "' OR 1=1 --"};
  std::vector<WorkloadEvent> events;
  for (size_t i = 0; i < hostile.size(); ++i) {
    WorkloadEvent e;
    e.event_id = "evt-" + std::to_string(i) + hostile[i];
    e.timestamp_ms = kFrom + static_cast<int64_t>(i);
    e.workload_id = hostile[i];
    e.provider = "p" + hostile[i];
    e.model = "m" + hostile[i];
    e.input_tokens = 10;
    e.output_tokens = 20;
    e.latency_ms = 30;
    e.cost_usd = 0.25 * static_cast<double>(i);  // exact in binary: compared with ==
    e.status = i % 2 == 0 ? EventStatus::ok : EventStatus::error;
    e.error_type = hostile[i];
    e.prompt_hash = hostile[i];
    e.cached = i % 3 == 0;
    e.tags = {{"k" + hostile[i], hostile[i]}, {"plain", "v"}};
    events.push_back(e);
  }
  auto stored = run(store_->insert(user, events, deadline()));
  ASSERT_TRUE(stored) << stored.error().message;
  auto read = run(store_->events(user, TimeRange{kFrom, kTo}, 100, deadline()));
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].user_id = user;
    EXPECT_EQ(read.value()[i], events[i]) << i;
  }
  auto summary = run(store_->summary(user, TimeRange{kFrom, kTo}, GroupBy::workload, deadline()));
  ASSERT_TRUE(summary);
  std::vector<std::string> keys;
  for (const auto& g : summary.value()) keys.push_back(g.key);
  auto sorted = hostile;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(keys, sorted);
}

TEST_P(AnalyticsStoreTest, AnInvalidBatchStoresNothing) {
  auto events = generate(10, 5, "");
  events[4].model = "";
  events[7].cost_usd = std::nan("");
  auto refused = run(store_->insert("usr_alice", events, deadline()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, AnalyticsErrorCode::invalid);
  ASSERT_EQ(refused.error().problems.size(), 2u);
  EXPECT_EQ(refused.error().problems[0].index, 4u);
  EXPECT_EQ(refused.error().problems[1].field, "cost_usd");
  auto none = run(store_->events("usr_alice", TimeRange{kFrom, kTo}, 100, deadline()));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(AnalyticsStoreTest, BadReadArgumentsAreRefusedBeforeAnyQuery) {
  const auto invalid = [](const auto& result) {
    return !result && result.error().code == AnalyticsErrorCode::invalid;
  };
  EXPECT_TRUE(
      invalid(run(store_->summary("usr_a", TimeRange{kTo, kFrom}, GroupBy::model, deadline()))));
  EXPECT_TRUE(invalid(run(store_->summary("", TimeRange{kFrom, kTo}, GroupBy::model, deadline()))));
  EXPECT_TRUE(invalid(run(store_->events("usr_a", TimeRange{kFrom, kTo}, 0, deadline()))));
  EXPECT_TRUE(
      invalid(run(store_->repeated_prompts("usr_a", TimeRange{kFrom, kTo}, 10'001, deadline()))));
  EXPECT_TRUE(invalid(run(store_->timeline("usr_a", TimeRange{kFrom, kTo}, 1000, deadline()))));
  EXPECT_TRUE(invalid(run(store_->timeline("usr_a", TimeRange{0, kTo}, kMinBucketMs, deadline()))));
}

INSTANTIATE_TEST_SUITE_P(Backends, AnalyticsStoreTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::analytics
