// Workload events from JSON: every bad field of every element is named once, with its index —
// type problems first, then the limits of the fields that did read.
#include "analytics/workload_event_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace netra::analytics {
namespace {

using json = nlohmann::json;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::UnorderedElementsAre;

json good() {
  return {{"timestamp", 1'700'000'000'000},
          {"workload_id", "support-bot"},
          {"provider", "openai"},
          {"model", "gpt-4o"},
          {"input_tokens", 1200},
          {"output_tokens", 300},
          {"latency_ms", 850},
          {"cost_usd", 0.0105},
          {"status", "error"},
          {"error_type", "rate_limit"},
          {"prompt_hash", "h1"},
          {"cached", true},
          {"tags", {{"team", "cx"}}}};
}

// The events of a batch written as nlohmann JSON, read as the route reads them (Boost.JSON).
ParsedEvents events_from_json(const json& batch, std::string_view caller) {
  return analytics::events_from_json(boost::json::parse(batch.dump()).as_array(), caller);
}

auto problem(size_t index, const std::string& field) {
  return AllOf(Field(&EventProblem::index, index), Field(&EventProblem::field, field));
}

TEST(WorkloadEventJson, ReadsEveryFieldAndWritesItBack) {
  const auto parsed = events_from_json(json::array({good()}), "usr_a");
  ASSERT_TRUE(parsed.problems.empty());
  ASSERT_EQ(parsed.events.size(), 1u);
  const auto& e = parsed.events[0];
  EXPECT_EQ(e.timestamp_ms, 1'700'000'000'000);
  EXPECT_EQ(e.model, "gpt-4o");
  EXPECT_EQ(e.input_tokens, 1200);
  EXPECT_DOUBLE_EQ(e.cost_usd, 0.0105);
  EXPECT_EQ(e.status, EventStatus::error);
  EXPECT_TRUE(e.cached);
  EXPECT_EQ(e.tags.at("team"), "cx");
  auto back = to_json(e);
  back.erase("event_id");
  back.erase("user_id");
  EXPECT_EQ(back, good());
}

TEST(WorkloadEventJson, OptionalFieldsMayBeLeftOutOrNull) {
  auto minimal = good();
  for (const char* name : {"status", "error_type", "prompt_hash", "cached", "tags"}) {
    minimal.erase(name);
  }
  minimal["event_id"] = nullptr;
  const auto parsed = events_from_json(json::array({minimal}), "usr_a");
  EXPECT_TRUE(parsed.problems.empty());
  EXPECT_EQ(parsed.events[0].status, EventStatus::ok);
  EXPECT_FALSE(parsed.events[0].cached);
}

TEST(WorkloadEventJson, NamesTheIndexAndFieldOfEveryProblemOnce) {
  auto missing = good();
  missing.erase("model");
  auto wrong_types = good();
  wrong_types["input_tokens"] = 12.5;
  wrong_types["cost_usd"] = "cheap";
  wrong_types["cached"] = 1;
  wrong_types["tags"] = {{"team", 7}};
  wrong_types["owner"] = "x";
  auto out_of_range = good();
  out_of_range["latency_ms"] = -1;
  out_of_range["workload_id"] = std::string(129, 'w');
  out_of_range["status"] = "failed";
  auto someone_else = good();
  someone_else["user_id"] = "usr_b";
  const auto parsed = events_from_json(
      json::array({good(), missing, wrong_types, out_of_range, "not an object", someone_else}),
      "usr_a");
  EXPECT_EQ(parsed.bad_events, 5u);
  EXPECT_THAT(
      parsed.problems,
      UnorderedElementsAre(problem(1, "model"), problem(2, "input_tokens"), problem(2, "cost_usd"),
                           problem(2, "cached"), problem(2, "tags.team"), problem(2, "owner"),
                           problem(3, "latency_ms"), problem(3, "workload_id"),
                           problem(3, "status"), problem(4, ""), problem(5, "user_id")))
      << "a missing model is named once, not again by its length check";
}

TEST(WorkloadEventJson, HugeIntegersAreOutOfRangeNotWrapped) {
  auto huge = good();
  huge["input_tokens"] = 18'446'744'073'709'551'615ULL;
  const auto parsed = events_from_json(json::array({huge}), "usr_a");
  EXPECT_THAT(parsed.problems, UnorderedElementsAre(problem(0, "input_tokens")));
}

TEST(WorkloadEventJson, ReportsAtMostTheCapButCountsEveryBadEvent) {
  auto bad = good();
  bad.erase("model");
  bad.erase("provider");
  const auto parsed = events_from_json(json(std::vector<json>(200, bad)), "usr_a");
  EXPECT_EQ(parsed.problems.size(), kMaxReportedProblems);
  EXPECT_EQ(parsed.bad_events, 200u);
}

}  // namespace
}  // namespace netra::analytics
