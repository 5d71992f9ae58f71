// The rules that buy reliability and speed rather than money: retries and a fallback where
// errors come in bursts, and latency measures where the slowest calls are far slower than most.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "agents/detail/optimization_rules.hpp"
#include "agents/markdown_format.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents::detail {
using analytics::find_model;

std::vector<Recommendation> retries_and_fallback(const RuleInput& in) {
  const auto& rules = in.rules;
  double requests = 0;
  double errors = 0;
  for (const auto& b : in.data.timeline) {
    requests += static_cast<double>(b.requests);
    errors += static_cast<double>(b.errors);
  }
  if (errors < rules.min_errors || requests <= 0) return {};
  const double rate = errors / requests;
  const double threshold = std::max(rules.burst_min_rate, rules.burst_rate_factor * rate);
  double burst_errors = 0;
  double bursts = 0;
  const analytics::TimeBucket* worst = nullptr;
  for (const auto& b : in.data.timeline) {
    if (b.requests <= 0) continue;
    const double bucket_rate = static_cast<double>(b.errors) / static_cast<double>(b.requests);
    if (static_cast<double>(b.errors) < rules.burst_min_errors || bucket_rate < threshold) continue;
    burst_errors += static_cast<double>(b.errors);
    bursts += 1;
    if (worst == nullptr || b.errors > worst->errors) worst = &b;
  }
  // Errors spread evenly are a different problem (a bad request, a bad model); bursts are what
  // retries with backoff and a fallback ride out.
  if (worst == nullptr || burst_errors < rules.burst_error_share * errors) return {};

  const analytics::GroupSummary* failing = nullptr;
  for (const auto& g : in.data.by_model) {
    if (failing == nullptr || g.errors > failing->errors) failing = &g;
  }
  if (failing == nullptr || failing->errors == 0) return {};
  const auto* known = find_model(failing->key);
  const std::string fallback = known != nullptr ? std::string(known->fallback) : "";

  Recommendation r;
  r.kind = RecommendationKind::retries_and_fallback;
  r.target_kind = TargetKind::model;
  r.target = failing->key;
  r.current_model = failing->key;
  r.suggested_model = fallback;
  r.title = fallback.empty()
                ? fmt::format("Retry {} with backoff, and fall back to another vendor's model",
                              markdown::code(failing->key))
                : fmt::format("Retry {} with backoff, and fall back to {}",
                              markdown::code(failing->key), fallback);
  const double worst_rate =
      static_cast<double>(worst->errors) / static_cast<double>(worst->requests);
  r.rationale = fmt::format(
      "{:.0f}% of the window's {} errors came in {:.0f} burst(s) of {} minutes with error "
      "rates up to {:.0f}%: outages and rate limits, which retries with jittered exponential "
      "backoff ride out, and which a second vendor answers while the first is down.",
      burst_errors / errors * 100, markdown::count(errors), bursts, in.data.bucket_ms / 60'000,
      worst_rate * 100);
  r.evidence = {{"errors", errors, "requests"},
                {"requests", requests, "requests"},
                {"error_rate", rate, "share"},
                {"burst_buckets", bursts, "count"},
                {"burst_error_share", burst_errors / errors, "share"},
                {"worst_bucket_start", static_cast<double>(worst->start_ms), "unix_ms"},
                {"worst_bucket_error_rate", worst_rate, "share"},
                {"model_errors", static_cast<double>(failing->errors), "requests"},
                {"model_error_rate", failing->error_rate, "share"}};
  return {std::move(r)};
}

std::vector<Recommendation> latency(const RuleInput& in) {
  std::vector<Recommendation> out;
  for (const auto& g : in.data.by_model) {
    const auto p50 = static_cast<double>(g.latency_p50_ms);
    const auto p95 = static_cast<double>(g.latency_p95_ms);
    const auto p99 = static_cast<double>(g.latency_p99_ms);
    if (static_cast<double>(g.requests) < in.rules.min_requests ||
        p99 < in.rules.latency_p99_over_p50 * p50 || p99 - p50 < in.rules.latency_min_gap_ms)
      continue;
    // Twice the p95, in whole seconds: generous for normal calls, and it cuts the stragglers.
    const double timeout_ms = std::ceil(2 * p95 / 1000) * 1000;
    Recommendation r;
    r.kind = RecommendationKind::latency;
    r.target_kind = TargetKind::model;
    r.target = g.key;
    r.title = fmt::format("Cut the slow tail of {}: timeout, streaming, a hedged retry",
                          markdown::code(g.key));
    r.rationale = fmt::format(
        "Half of the calls finish within {} ms, but 1% take {} ms or more ({:.1f}× the median). "
        "A timeout at {} ms with one retry (to the same or a fallback model) cuts that tail, and "
        "streaming shows the first tokens long before the last.",
        markdown::count(p50), markdown::count(p99), p99 / std::max(1.0, p50),
        markdown::count(timeout_ms));
    r.evidence = {{"requests", static_cast<double>(g.requests), "requests"},
                  {"latency_p50", p50, "ms"},
                  {"latency_p95", p95, "ms"},
                  {"latency_p99", p99, "ms"},
                  {"p99_over_p50", p99 / std::max(1.0, p50), ""},
                  {"suggested_timeout", timeout_ms, "ms"}};
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace netra::agents::detail
