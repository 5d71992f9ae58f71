// W3C Trace Context: traceparent headers read as the recommendation's §3.2 says (the valid
// continue the caller's trace, the rest start a new one), and the ids we make.
#include "telemetry/trace_context.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

namespace netra::telemetry {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContextTest, AValidTraceparentIsReadFieldByField) {
  auto parsed = parse_traceparent(kValid);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(parsed->flags, 1);
  // A later version may add fields after a dash (§3.2.4); version 00 may not.
  EXPECT_TRUE(parse_traceparent(std::string("01") + std::string(kValid.substr(2)) + "-what-next"));
  EXPECT_FALSE(parse_traceparent(std::string(kValid) + "-more"));
}

TEST(TraceContextTest, InvalidTraceparentsAreRefused) {
  const std::string valid(kValid);
  for (const std::string& bad : std::vector<std::string>{
           std::string(""), valid.substr(0, 54),                        // short
           "ff" + valid.substr(2),                                      // version ff
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero parent id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",   // flags not hex
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // separator
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // no dash after
       }) {
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  }
}

TEST(TraceContextTest, AValidParentIsContinuedWithANewSpanOfOurs) {
  auto context = continue_or_start(kValid, "congo=t61rcWkgMzE");
  EXPECT_EQ(context.trace(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context.parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(context.tracestate, "congo=t61rcWkgMzE");
  const auto header = context.traceparent();
  const std::string text(header.begin(), header.end());
  EXPECT_TRUE(
      std::regex_match(text, std::regex("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")))
      << text;
  EXPECT_NE(text.substr(36, 16), "00f067aa0ba902b7") << "our span, not the caller's";
  // Unsampled stays unsampled; undefined flag bits are not passed on.
  EXPECT_EQ(continue_or_start("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "").flags,
            0);
  EXPECT_EQ(continue_or_start("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff", "").flags,
            1);
}

TEST(TraceContextTest, WithoutAValidParentANewTraceStartsAndTracestateIsDropped) {
  std::set<std::string> traces;
  for (int i = 0; i < 100; ++i) {
    auto context = continue_or_start("00-garbage", "congo=t61rcWkgMzE");
    EXPECT_TRUE(context.parent_id.empty());
    EXPECT_TRUE(context.tracestate.empty());
    EXPECT_EQ(context.flags, 1);
    const auto header = context.traceparent();
    const std::string text(header.begin(), header.end());
    EXPECT_TRUE(parse_traceparent(text)) << text;
    traces.emplace(context.trace());
  }
  EXPECT_EQ(traces.size(), 100u) << "each trace id is new";
  EXPECT_TRUE(continue_or_start(kValid, std::string(513, 'x')).tracestate.empty());
}

// Parent-based ratio sampling: a new trace is sampled by its id's last 8 bytes against the ratio
// (so the share is the ratio, and every service reading the id decides alike); a caller decides
// the traces it continues whatever the ratio.
TEST(TraceContextTest, NewTracesAreSampledAtTheRatioAndCallersDecideTheirOwn) {
  EXPECT_TRUE(sampled_by_ratio("00000000000000000000000000000000", 0.001));
  EXPECT_FALSE(sampled_by_ratio("0000000000000000ffffffffffffffff", 0.999));
  EXPECT_TRUE(sampled_by_ratio("ffffffffffffffff7fffffffffffffff", 0.5));
  EXPECT_FALSE(sampled_by_ratio("00000000000000008000000000000000", 0.5));
  EXPECT_FALSE(sampled_by_ratio("00000000000000000000000000000000", 0));
  EXPECT_TRUE(sampled_by_ratio("0000000000000000ffffffffffffffff", 1));
  int sampled = 0;
  for (int i = 0; i < 4000; ++i) sampled += continue_or_start("", "", 0.25).sampled();
  EXPECT_NEAR(sampled, 1000, 150) << "about a quarter of 4000 new traces";
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(continue_or_start("", "", 0).sampled());
    EXPECT_TRUE(continue_or_start(kValid, "", 0).sampled()) << "the caller sampled it";
    EXPECT_FALSE(continue_or_start("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "", 1)
                     .sampled())
        << "the caller did not";
  }
}

}  // namespace
}  // namespace netra::telemetry
