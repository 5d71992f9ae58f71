// The demo workload: valid, deterministic per seed, and shaped like real traffic — several
// providers at list prices, heavy tails, repeated prompts, error bursts.
#include "analytics/demo_workload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "analytics/model_catalog.hpp"

namespace netra::analytics {
namespace {

constexpr int64_t kNow = 1'717'200'000'000;  // 2024-06-01

std::vector<WorkloadEvent> make(size_t n, uint64_t seed, int days = 30) {
  DemoWorkload demo({kNow, days, n, seed});
  std::vector<WorkloadEvent> all;
  for (;;) {
    auto batch = demo.next_batch(3000);
    if (batch.empty()) break;
    all.insert(all.end(), batch.begin(), batch.end());
  }
  return all;
}

TEST(DemoWorkload, MakesExactlyTheEventsAskedForAllValidInTheRange) {
  const auto events = make(20000, 7);
  ASSERT_EQ(events.size(), 20000u);
  std::set<std::string> ids;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    EXPECT_TRUE(validate_event(e, i).empty()) << i;
    EXPECT_GE(e.timestamp_ms, kNow - 30 * 86'400'000LL);
    EXPECT_LT(e.timestamp_ms, kNow);
    ids.insert(e.event_id);
  }
  EXPECT_EQ(ids.size(), events.size()) << "event ids are unique";
}

TEST(DemoWorkload, TheSameSeedMakesTheSameEvents) {
  EXPECT_EQ(make(2000, 42), make(2000, 42));
  EXPECT_NE(make(2000, 42), make(2000, 43));
}

TEST(DemoWorkload, TheSameSeedLaterMakesTheSameCallsAtOtherTimes) {
  const auto today = make(500, 9);
  DemoWorkload later({kNow + 3 * 86'400'000LL + 12'345, 30, 500, 9});
  const auto moved = later.next_batch(500);
  for (size_t i = 0; i < today.size(); ++i) {
    EXPECT_EQ(moved[i].model, today[i].model) << i;
    EXPECT_EQ(moved[i].input_tokens, today[i].input_tokens) << i;
    EXPECT_EQ(moved[i].prompt_hash, today[i].prompt_hash) << i;
  }
}

TEST(DemoWorkload, LooksLikeRealTraffic) {
  const auto events = make(30000, 1);
  std::set<std::string> providers, models;
  std::map<std::string, int> hashes;
  std::vector<int64_t> summarizer_inputs;
  size_t errors = 0, cached = 0;
  std::map<std::pair<std::string, int64_t>, std::pair<int, int>> hourly;  // provider, hour
  for (const auto& e : events) {
    providers.insert(e.provider);
    models.insert(e.model);
    ++hashes[e.prompt_hash];
    if (e.workload_id == "doc-summarizer") summarizer_inputs.push_back(e.input_tokens);
    auto& bucket = hourly[{e.provider, e.timestamp_ms / 3'600'000}];
    ++bucket.first;
    if (e.status == EventStatus::error) {
      ++errors;
      ++bucket.second;
      EXPECT_EQ(e.cost_usd, 0) << "refused calls are not billed";
    } else if (e.cached) {
      ++cached;
      EXPECT_EQ(e.cost_usd, 0);
    } else {
      const auto* m = find_model(e.model);
      ASSERT_NE(m, nullptr) << e.model << " has no list price";
      EXPECT_NEAR(
          e.cost_usd,
          (e.input_tokens * m->input_usd_per_mtok + e.output_tokens * m->output_usd_per_mtok) / 1e6,
          1e-12);
    }
  }
  EXPECT_GE(providers.size(), 4u);
  EXPECT_GE(models.size(), 6u);
  size_t repeated = 0;
  for (const auto& e : events) repeated += hashes[e.prompt_hash] > 1 ? 1 : 0;
  EXPECT_GT(repeated, events.size() / 10) << "a share of prompts repeats";
  EXPECT_GT(cached, 0u);
  std::sort(summarizer_inputs.begin(), summarizer_inputs.end());
  const auto median = summarizer_inputs[summarizer_inputs.size() / 2];
  const auto p99 = summarizer_inputs[summarizer_inputs.size() * 99 / 100];
  EXPECT_GT(p99, 8 * median) << "token counts have heavy tails";
  EXPECT_GT(errors, events.size() / 100);
  int burst_hours = 0;
  for (const auto& [key, counts] : hourly) {
    if (counts.first >= 10 && counts.second * 5 >= counts.first) ++burst_hours;
  }
  EXPECT_GE(burst_hours, 1) << "errors cluster in bursts (an hour with 20%+ failures)";
}

TEST(DemoWorkload, RefusesARangeItCannotFill) {
  EXPECT_THROW(DemoWorkload({kNow, 0, 10, 1}), std::invalid_argument);
  EXPECT_THROW(DemoWorkload({kNow, 10000, 10, 1}), std::invalid_argument);
}

TEST(DemoWorkload, ATemplateDrawsOnlyFromItsWorkloads) {
  const auto* coding = find_workload_template("coding-assistant");
  ASSERT_NE(coding, nullptr);
  DemoWorkload demo({kNow, 14, 5000, 3, coding->workloads});
  std::map<std::string, int> by_workload;
  for (const auto& e : demo.next_batch(5000)) {
    EXPECT_TRUE(validate_event(e, 0).empty());
    ++by_workload[e.workload_id];
  }
  ASSERT_EQ(by_workload.size(), 3u);
  for (const auto& id : coding->workloads) EXPECT_GT(by_workload[id], 200) << id;
  // Every template names known workloads, and the demo's is the default set.
  for (const auto& t : workload_templates()) {
    for (const auto& id : t.workloads) EXPECT_NE(find_workload_profile(id), nullptr) << t.id;
  }
  DemoWorkload named({kNow, 30, 2000, 42, find_workload_template("demo")->workloads});
  const auto default_set = make(2000, 42);
  const auto named_set = named.next_batch(2000);
  for (size_t i = 0; i < default_set.size(); ++i) {
    EXPECT_EQ(named_set[i].workload_id, default_set[i].workload_id) << i;
  }
}

TEST(DemoWorkload, RefusesUnknownOrRepeatedWorkloads) {
  EXPECT_THROW(DemoWorkload({kNow, 30, 10, 1, {"support-chat", "nope"}}), std::invalid_argument);
  EXPECT_THROW(DemoWorkload({kNow, 30, 10, 1, {"support-chat", "support-chat"}}),
               std::invalid_argument);
}

TEST(DemoWorkload, WithAPrefixEventsAreNumberedAndSkippingResumesExactly) {
  DemoWorkloadOptions options{kNow, 30, 25, 5, {}, "evt_job_1_"};
  DemoWorkload whole(options);
  const auto all = whole.next_batch(100);
  ASSERT_EQ(all.size(), 25u);
  EXPECT_EQ(all[0].event_id, "evt_job_1_0");
  EXPECT_EQ(all[24].event_id, "evt_job_1_24");
  DemoWorkload resumed(options);
  resumed.skip(10);
  const auto rest = resumed.next_batch(100);
  ASSERT_EQ(rest.size(), 15u);
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i], all[i + 10]) << i;
  resumed.skip(1000);  // past the end: stays at the end
  EXPECT_EQ(resumed.made(), 25u);
}

}  // namespace
}  // namespace netra::analytics
