// The times the summary takes (Unix seconds or ISO-8601) and the 400 that names each bad event.
#include "api/workload_json.hpp"

#include <gtest/gtest.h>

#include "api/error_response.hpp"

namespace netra::api {
namespace {

TEST(WorkloadJson, ReadsUnixSecondsAndIso8601) {
  EXPECT_EQ(parse_time("1717243200"), 1'717'243'200'000);
  EXPECT_EQ(parse_time("0"), 0);
  EXPECT_EQ(parse_time("2024-06-01"), 1'717'200'000'000);
  EXPECT_EQ(parse_time("2024-06-01T12:00:00Z"), 1'717'243'200'000);
  EXPECT_EQ(parse_time("2024-06-01T12:00Z"), 1'717'243'200'000);
  EXPECT_EQ(parse_time("2024-06-01 12:00:00"), 1'717'243'200'000);
  EXPECT_EQ(parse_time("2024-06-01T12:00:00.25Z"), 1'717'243'200'250);
  EXPECT_EQ(parse_time("2024-06-01T12:00:00.123456Z"), 1'717'243'200'123);
  EXPECT_EQ(parse_time("2024-06-01T14:30:00+02:30"), 1'717'243'200'000);
  EXPECT_EQ(parse_time("2024-06-01T14:30:00 0230"), 1'717'243'200'000) << "+ read as a space";
  EXPECT_EQ(parse_time("2024-06-01T09:00:00-03:00"), 1'717'243'200'000);
  EXPECT_EQ(parse_time("2024-02-29"), 1'709'164'800'000);
}

TEST(WorkloadJson, RefusesWhatIsNeither) {
  for (const char* bad :
       {"", "yesterday", "-5", "1e9", "2024-6-1", "2024-02-30", "2023-02-29", "2024-06-01T24:00Z",
        "2024-06-01T12:60Z", "2024-06-01T12:00:00.Z", "2024-06-01T12:00:00Zjunk", "2024-06-01X",
        "2101-01-02", "1969-12-31", "99999999999999", "2024-06-01T12:00:00+2"}) {
    EXPECT_FALSE(parse_time(bad).has_value()) << bad;
  }
}

TEST(WorkloadJson, AnInvalidBatchListsEachEventsFieldByIndex) {
  auto error = analytics::AnalyticsError::invalid("2 of 3 events are invalid",
                                                  {{0, "model", "required, a string"},
                                                   {2, "tags.team", "must be at most 256 bytes"},
                                                   {2, "", "must be a JSON object"}});
  const auto response = error_response(error, "rid");
  EXPECT_EQ(response.status, 400);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["fields"]["events[0].model"], "required, a string");
  EXPECT_EQ(body["error"]["fields"]["events[2].tags.team"], "must be at most 256 bytes");
  EXPECT_EQ(body["error"]["fields"]["events[2]"], "must be a JSON object");
  EXPECT_EQ(body["error"]["problems"][1]["index"], 2);
}

TEST(WorkloadJson, StoreFailuresMapToStatusesWithoutDetails) {
  using Code = analytics::AnalyticsErrorCode;
  auto status_of = [](Code code) {
    return error_response({code, "ClickHouse at h:1 answered 500: secret detail", {}}, "rid-1");
  };
  EXPECT_EQ(status_of(Code::busy).status, 503);
  EXPECT_EQ(status_of(Code::unavailable).status, 503);
  EXPECT_EQ(status_of(Code::timeout).status, 504);
  const auto internal = status_of(Code::internal);
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("secret detail"), std::string::npos);
  EXPECT_NE(internal.body.find("rid-1"), std::string::npos);
}

}  // namespace
}  // namespace netra::api
