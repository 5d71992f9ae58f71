// The limits of a batch of workload events: every bad field of every event is named with its
// index, and a good batch is stamped with the caller's id and event ids.
#include "analytics/workload_event.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace netra::analytics {
namespace {

using ::testing::Field;
using ::testing::UnorderedElementsAre;

WorkloadEvent good_event() {
  WorkloadEvent e;
  e.timestamp_ms = 1'700'000'000'000;
  e.workload_id = "support-bot";
  e.provider = "openai";
  e.model = "gpt-4o";
  e.input_tokens = 1200;
  e.output_tokens = 300;
  e.latency_ms = 850;
  e.cost_usd = 0.0105;
  e.prompt_hash = "h1";
  e.tags = {{"team", "cx"}};
  return e;
}

auto problem(size_t index, const std::string& field) {
  return AllOf(Field(&EventProblem::index, index), Field(&EventProblem::field, field));
}

TEST(WorkloadEvent, AGoodEventHasNoProblems) {
  EXPECT_TRUE(validate_event(good_event(), 0).empty());
}

TEST(WorkloadEvent, EveryBadFieldIsNamed) {
  WorkloadEvent e = good_event();
  e.timestamp_ms = 5;
  e.workload_id = "";
  e.provider = std::string(129, 'p');
  e.model = "gpt\xff";
  e.input_tokens = -1;
  e.output_tokens = kMaxTokens + 1;
  e.latency_ms = -5;
  e.cost_usd = std::numeric_limits<double>::quiet_NaN();
  e.error_type = std::string("a\0b", 3);
  e.prompt_hash = std::string(kMaxPromptHashBytes + 1, 'h');
  e.tags = {{"", "x"}, {"ok", std::string(kMaxTagValueBytes + 1, 'v')}};
  EXPECT_THAT(validate_event(e, 7),
              UnorderedElementsAre(
                  problem(7, "timestamp"), problem(7, "workload_id"), problem(7, "provider"),
                  problem(7, "model"), problem(7, "input_tokens"), problem(7, "output_tokens"),
                  problem(7, "latency_ms"), problem(7, "cost_usd"), problem(7, "error_type"),
                  problem(7, "prompt_hash"), problem(7, "tags"), problem(7, "tags.ok")));
}

TEST(WorkloadEvent, InfiniteAndNegativeCostsAreRefused) {
  for (double cost : {std::numeric_limits<double>::infinity(), -0.01, kMaxCostUsd * 2}) {
    WorkloadEvent e = good_event();
    e.cost_usd = cost;
    EXPECT_THAT(validate_event(e, 0), UnorderedElementsAre(problem(0, "cost_usd"))) << cost;
  }
}

TEST(WorkloadEvent, TooManyTagsAreRefused) {
  WorkloadEvent e = good_event();
  for (size_t i = 0; i <= kMaxTags; ++i) e.tags["k" + std::to_string(i)] = "v";
  EXPECT_THAT(validate_event(e, 0), UnorderedElementsAre(problem(0, "tags")));
}

TEST(WorkloadEvent, ABatchListsTheIndexOfEveryBadEvent) {
  std::vector<WorkloadEvent> batch(5, good_event());
  batch[1].model = "";
  batch[3].latency_ms = -1;
  batch[3].provider = "";
  auto prepared = prepare_batch("usr_a", batch);
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().code, AnalyticsErrorCode::invalid);
  EXPECT_EQ(prepared.error().message, "2 of 5 events are invalid");
  EXPECT_THAT(
      prepared.error().problems,
      UnorderedElementsAre(problem(1, "model"), problem(3, "latency_ms"), problem(3, "provider")));
}

TEST(WorkloadEvent, ProblemsAreCappedButCounted) {
  std::vector<WorkloadEvent> batch(kMaxReportedProblems + 50, good_event());
  for (auto& e : batch) e.model = "";
  auto prepared = prepare_batch("usr_a", batch);
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().problems.size(), kMaxReportedProblems);
  EXPECT_EQ(prepared.error().message, "150 of 150 events are invalid");
}

TEST(WorkloadEvent, BatchSizeIsBounded) {
  EXPECT_FALSE(prepare_batch("usr_a", {}));
  std::vector<WorkloadEvent> too_many(kMaxBatchEvents + 1, good_event());
  auto refused = prepare_batch("usr_a", too_many);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("1 to 10000 events"));
  too_many.pop_back();
  EXPECT_TRUE(prepare_batch("usr_a", std::move(too_many)));
}

TEST(WorkloadEvent, TheCallersIdWinsAndMissingIdsAreMade) {
  std::vector<WorkloadEvent> batch(2, good_event());
  batch[0].user_id = "usr_somebody_else";
  batch[1].event_id = "mine-1";
  auto prepared = prepare_batch("usr_a", batch);
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(prepared.value()[0].user_id, "usr_a");
  EXPECT_EQ(prepared.value()[1].user_id, "usr_a");
  EXPECT_THAT(prepared.value()[0].event_id, ::testing::StartsWith("evt_"));
  EXPECT_EQ(prepared.value()[1].event_id, "mine-1");
}

TEST(WorkloadEvent, TheUserIdIsChecked) {
  EXPECT_FALSE(prepare_batch("", {good_event()}));
  EXPECT_FALSE(prepare_batch(std::string("u\0", 2), {good_event()}));
  EXPECT_FALSE(prepare_batch(std::string(kMaxUserIdBytes + 1, 'u'), {good_event()}));
}

}  // namespace
}  // namespace netra::analytics
