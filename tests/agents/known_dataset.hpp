// A week of workload events built so that each optimization rule fires exactly once, and the
// savings each should report, computed here from the events' own numbers and the vendors' list
// prices — not by the code under test.
#pragma once

#include <string>
#include <vector>

#include "agents_test_fixture.hpp"

namespace netra::agents::known {

inline constexpr int64_t kTo = 1'718'409'600'000;  // 2024-06-15 00:00 UTC
inline constexpr int64_t kWeek = 7 * 86'400'000LL;
inline constexpr int64_t kFrom = kTo - kWeek;
inline constexpr int64_t kHour = 3'600'000;
// The window is a week and the data starts with it: a month is 30/7 of it.
inline constexpr double kMonth = 30.0 / 7.0;

// Per call, from the list prices per million tokens (gpt-4o 2.50/10, gpt-4o-mini 0.15/0.60,
// gpt-4-turbo 10/30, claude-3-5-sonnet 3/15).
inline constexpr double kClassifierCall = (400 * 2.50 + 20 * 10.0) / 1e6;    // gpt-4o
inline constexpr double kClassifierOnMini = (400 * 0.15 + 20 * 0.60) / 1e6;  // gpt-4o-mini
inline constexpr double kFaqCall = (1500 * 3.0 + 400 * 15.0) / 1e6;          // claude-3-5-sonnet
inline constexpr double kRagInput = 6000 * 10.0 / 1e6;                       // gpt-4-turbo
inline constexpr double kRagCall = kRagInput + 150 * 30.0 / 1e6;
inline constexpr double kTaggerCall = (1000 * 0.15 + 100 * 0.60) / 1e6;  // gpt-4o-mini

// classifier: 700 short calls on gpt-4o (→ a cheaper model), 5 errors spread over the week.
// faq-bot: 700 calls on claude-3-5-sonnet, 400 of them 20 prompts asked 20 times (→ caching).
// rag-search: 700 calls on gpt-4-turbo sending 6,000 tokens for 150 (→ trimming).
// tagger: 7,000 small calls on gpt-4o-mini, 1,000 a day (→ batching), 3% of them slow (→ latency).
// ingest: 40 failing calls on gemini-1.5-pro in two hours of the fourth day (→ retries).
inline std::vector<analytics::WorkloadEvent> week() {
  std::vector<analytics::WorkloadEvent> out;
  auto spread = [](int i, int n, int64_t offset) {
    return kFrom + offset + static_cast<int64_t>(i) * (kWeek / n);
  };
  for (int i = 0; i < 700; ++i) {
    auto e = call(spread(i, 700, 0), "classifier", "gpt-4o", 400, 20, 600, kClassifierCall);
    e.prompt_hash = "c" + std::to_string(i);
    if (i % 140 == 0) {
      e.status = analytics::EventStatus::error;
      e.error_type = "server_error";
    }
    out.push_back(e);
  }
  for (int i = 0; i < 700; ++i) {
    auto e = call(spread(i, 700, 1000), "faq-bot", "claude-3-5-sonnet", 1500, 400, 2000, kFaqCall);
    e.prompt_hash = i < 400 ? "faq" + std::to_string(i % 20) : "f" + std::to_string(i);
    out.push_back(e);
  }
  for (int i = 0; i < 700; ++i) {
    auto e = call(spread(i, 700, 2000), "rag-search", "gpt-4-turbo", 6000, 150, 3000, kRagCall);
    e.prompt_hash = "r" + std::to_string(i);
    out.push_back(e);
  }
  for (int i = 0; i < 7000; ++i) {
    const int64_t latency = i % 100 < 3 ? 5000 : 300;
    out.push_back(
        call(spread(i, 7000, 3000), "tagger", "gpt-4o-mini", 1000, 100, latency, kTaggerCall));
  }
  for (int i = 0; i < 40; ++i) {
    auto e = call(kFrom + 3 * 86'400'000LL + 10 * kHour + i * (2 * kHour / 40), "ingest",
                  "gemini-1.5-pro", 1500, 0, 1000, 0);
    e.provider = "google";
    e.status = analytics::EventStatus::error;
    e.error_type = "rate_limit";
    out.push_back(e);
  }
  return out;
}

inline constexpr int64_t kEvents = 700 * 3 + 7000 + 40;

// The expected monthly savings.
inline double trimming_rag() {
  const double input_share = kRagInput / kRagCall;
  return 700 * kRagCall * input_share * 0.3 * kMonth;
}
inline double caching_faq() {
  return 20 * 19 * kFaqCall * kMonth;
}  // 19 repeats of 20 prompts
inline double switch_classifier() {
  return 700 * kClassifierCall * (1 - kClassifierOnMini / kClassifierCall) * kMonth;
}
inline double batching_tagger() {
  return 7000 * kTaggerCall * 0.5 * kMonth;
}

}  // namespace netra::agents::known
