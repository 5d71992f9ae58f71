// Families a part publishes through the HealthRegistry appear in /metrics: counters follow the
// part's running totals, gauges its current value, one series per label value.
#include <gtest/gtest.h>

#include <atomic>

#include "core/health_registry.hpp"
#include "telemetry/metrics.hpp"

namespace netra::telemetry {
namespace {

using Series = core::HealthRegistry::Series;

// The value of the sample line that starts with `series` ("name{label=\"x\"}"), or -1.
double sample(const std::string& text, const std::string& series) {
  size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

TEST(PublishedMetrics, CountersFollowTheTotalsAndGaugesTheCurrentValue) {
  std::atomic<double> accepted{5}, refused{0}, open{3};
  core::HealthRegistry registry;
  registry.add_family(
      {"netra_test_events_total", "Events", "event", true, [&] {
         return std::vector<Series>{{"accepted", accepted.load()}, {"refused", refused.load()}};
       }});
  registry.add_family({"netra_test_open", "Open things", "", false, [&] {
                         return std::vector<Series>{{"", open.load()}};
                       }});
  Metrics metrics("1.0", "abc");
  core::StartupReport report;

  auto text = metrics.render(report, &registry);
  EXPECT_EQ(sample(text, R"(netra_test_events_total{event="accepted"})"), 5);
  EXPECT_EQ(sample(text, R"(netra_test_events_total{event="refused"})"), 0);
  EXPECT_EQ(sample(text, "netra_test_open"), 3);
  EXPECT_NE(text.find("# TYPE netra_test_events_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE netra_test_open gauge"), std::string::npos);

  accepted = 8;
  refused = 2;
  open = 1;
  text = metrics.render(report, &registry);
  EXPECT_EQ(sample(text, R"(netra_test_events_total{event="accepted"})"), 8);
  EXPECT_EQ(sample(text, R"(netra_test_events_total{event="refused"})"), 2);
  EXPECT_EQ(sample(text, "netra_test_open"), 1);
}

}  // namespace
}  // namespace netra::telemetry
