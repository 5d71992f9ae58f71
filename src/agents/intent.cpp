#include "agents/intent.hpp"

#include <array>
#include <cctype>

#include "agents/detail/spaced_words.hpp"

namespace netra::agents {
namespace {

struct Cue {
  Intent intent;
  std::string_view phrase;  // lower-case words separated by single spaces
  int weight;
};

// Strong, specific words weigh more; words that several intents share ("reduce", "how much")
// weigh little or are left out.
constexpr std::array kCues = {
    Cue{Intent::cost, "cost", 2},
    Cue{Intent::cost, "costs", 2},
    Cue{Intent::cost, "costly", 2},
    Cue{Intent::cost, "spend", 2},
    Cue{Intent::cost, "spending", 2},
    Cue{Intent::cost, "spent", 2},
    Cue{Intent::cost, "bill", 2},
    Cue{Intent::cost, "billing", 2},
    Cue{Intent::cost, "invoice", 2},
    Cue{Intent::cost, "expensive", 2},
    Cue{Intent::cost, "cheaper", 2},
    Cue{Intent::cost, "cheap", 2},
    Cue{Intent::cost, "save", 2},
    Cue{Intent::cost, "saving", 2},
    Cue{Intent::cost, "savings", 2},
    Cue{Intent::cost, "budget", 2},
    Cue{Intent::cost, "money", 2},
    Cue{Intent::cost, "price", 2},
    Cue{Intent::cost, "pricing", 2},
    Cue{Intent::cost, "dollars", 2},
    Cue{Intent::cost, "usd", 2},
    Cue{Intent::cost, "$", 2},
    Cue{Intent::cost, "cut", 1},
    Cue{Intent::cost, "too much", 1},
    Cue{Intent::cost, "afford", 2},
    Cue{Intent::latency, "latency", 3},
    Cue{Intent::latency, "latencies", 3},
    Cue{Intent::latency, "slow", 2},
    Cue{Intent::latency, "slower", 2},
    Cue{Intent::latency, "slowness", 2},
    Cue{Intent::latency, "sluggish", 2},
    Cue{Intent::latency, "fast", 1},
    Cue{Intent::latency, "faster", 2},
    Cue{Intent::latency, "speed", 2},
    Cue{Intent::latency, "speed up", 1},
    Cue{Intent::latency, "response time", 3},
    Cue{Intent::latency, "response times", 3},
    Cue{Intent::latency, "p50", 2},
    Cue{Intent::latency, "p90", 2},
    Cue{Intent::latency, "p95", 2},
    Cue{Intent::latency, "p99", 2},
    Cue{Intent::latency, "lag", 2},
    Cue{Intent::latency, "delay", 2},
    Cue{Intent::latency, "delays", 2},
    Cue{Intent::latency, "ttft", 3},
    Cue{Intent::latency, "time to first token", 3},
    Cue{Intent::latency, "takes too long", 2},
    Cue{Intent::latency, "take so long", 2},
    Cue{Intent::reliability, "error", 2},
    Cue{Intent::reliability, "errors", 2},
    Cue{Intent::reliability, "erroring", 2},
    Cue{Intent::reliability, "fail", 2},
    Cue{Intent::reliability, "fails", 2},
    Cue{Intent::reliability, "failing", 2},
    Cue{Intent::reliability, "failed", 2},
    Cue{Intent::reliability, "failure", 2},
    Cue{Intent::reliability, "failures", 2},
    Cue{Intent::reliability, "reliability", 3},
    Cue{Intent::reliability, "reliable", 3},
    Cue{Intent::reliability, "unreliable", 3},
    Cue{Intent::reliability, "rate limit", 2},
    Cue{Intent::reliability, "rate limits", 2},
    Cue{Intent::reliability, "rate limited", 2},
    Cue{Intent::reliability, "429", 2},
    Cue{Intent::reliability, "429s", 2},
    Cue{Intent::reliability, "5xx", 2},
    Cue{Intent::reliability, "retry", 2},
    Cue{Intent::reliability, "retries", 2},
    Cue{Intent::reliability, "outage", 3},
    Cue{Intent::reliability, "outages", 3},
    Cue{Intent::reliability, "downtime", 3},
    Cue{Intent::reliability, "uptime", 3},
    Cue{Intent::reliability, "flaky", 2},
    Cue{Intent::reliability, "timeout", 2},
    Cue{Intent::reliability, "timeouts", 2},
    Cue{Intent::reliability, "timing out", 2},
    Cue{Intent::reliability, "broken", 1},
    Cue{Intent::usage_report, "usage", 2},
    Cue{Intent::usage_report, "report", 2},
    Cue{Intent::usage_report, "summary", 2},
    Cue{Intent::usage_report, "summarize", 2},
    Cue{Intent::usage_report, "summarise", 2},
    Cue{Intent::usage_report, "overview", 2},
    Cue{Intent::usage_report, "breakdown", 2},
    Cue{Intent::usage_report, "break down", 2},
    Cue{Intent::usage_report, "stats", 2},
    Cue{Intent::usage_report, "statistics", 2},
    Cue{Intent::usage_report, "trend", 2},
    Cue{Intent::usage_report, "trends", 2},
    Cue{Intent::usage_report, "volume", 2},
    Cue{Intent::usage_report, "dashboard", 2},
    Cue{Intent::usage_report, "consumption", 2},
    Cue{Intent::usage_report, "how many", 1},
    Cue{Intent::usage_report, "how much", 1},
    Cue{Intent::usage_report, "tokens", 1},
    Cue{Intent::model_choice, "which model", 3},
    Cue{Intent::model_choice, "what model", 3},
    Cue{Intent::model_choice, "best model", 3},
    Cue{Intent::model_choice, "better model", 3},
    Cue{Intent::model_choice, "cheaper model", 3},
    Cue{Intent::model_choice, "model choice", 3},
    Cue{Intent::model_choice, "switch", 2},
    Cue{Intent::model_choice, "switching", 2},
    Cue{Intent::model_choice, "alternative", 2},
    Cue{Intent::model_choice, "alternatives", 2},
    Cue{Intent::model_choice, "compare", 2},
    Cue{Intent::model_choice, "comparison", 2},
    Cue{Intent::model_choice, "versus", 2},
    Cue{Intent::model_choice, "vs", 2},
    Cue{Intent::model_choice, "instead of", 2},
    Cue{Intent::model_choice, "migrate", 2},
    Cue{Intent::model_choice, "replace", 2},
    Cue{Intent::model_choice, "downgrade", 2},
    Cue{Intent::model_choice, "upgrade", 2},
    Cue{Intent::model_choice, "choose", 2},
    Cue{Intent::model_choice, "should we use", 2},
    Cue{Intent::model_choice, "should i use", 2},
};

// Ties go to the earlier intent here: the more specific question.
constexpr std::array kPrecedence = {Intent::model_choice, Intent::cost, Intent::latency,
                                    Intent::reliability, Intent::usage_report};

}  // namespace

std::string_view to_string(Intent intent) {
  switch (intent) {
    case Intent::cost:
      return "cost";
    case Intent::latency:
      return "latency";
    case Intent::reliability:
      return "reliability";
    case Intent::usage_report:
      return "usage_report";
    case Intent::model_choice:
      return "model_choice";
    case Intent::general_question:
      return "general_question";
  }
  return "general_question";
}

std::optional<Intent> parse_intent(std::string_view text) {
  for (auto intent : {Intent::cost, Intent::latency, Intent::reliability, Intent::usage_report,
                      Intent::model_choice, Intent::general_question}) {
    if (to_string(intent) == text) return intent;
  }
  return std::nullopt;
}

IntentReading classify_intent(std::string_view text, size_t models_named) {
  // "$" is a word of its own: "save $" is a cue.
  const std::string words = detail::spaced_words(text, "", "$");
  std::array<int, kPrecedence.size()> score{};
  auto slot = [](Intent intent) {
    for (size_t i = 0; i < kPrecedence.size(); ++i) {
      if (kPrecedence[i] == intent) return i;
    }
    return size_t{0};
  };
  for (const auto& cue : kCues) {
    if (detail::has_phrase(words, cue.phrase)) {
      score[slot(cue.intent)] += cue.weight;
    }
  }
  // Two models in one question are usually a comparison.
  if (models_named >= 2) score[slot(Intent::model_choice)] += 1;

  size_t best = 0;
  for (size_t i = 1; i < score.size(); ++i) {
    if (score[i] > score[best]) best = i;
  }
  IntentReading reading;
  if (score[best] == 0) return reading;
  reading.intent = kPrecedence[best];
  for (const auto& cue : kCues) {
    if (cue.intent == reading.intent && detail::has_phrase(words, cue.phrase)) {
      reading.cues.emplace_back(cue.phrase);
    }
  }
  return reading;
}

}  // namespace netra::agents
