#include "agents/request_goals.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <initializer_list>

namespace netra::agents {
namespace {

// A word of the request with where it is: numbers keep their decimal point and thousands commas
// ("1,500.50"), names their '-', '_' and '.' ("support-chat"), contractions their apostrophe
// ("don't"); '%', '$', '/' and '<' are words of their own.
struct Word {
  std::string text;   // as written
  std::string lower;  // lower case
  size_t begin = 0;
  size_t end = 0;
  bool quoted = false;  // was in quotes or backticks
};

bool is_word_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c >= 0x80;
}

std::vector<Word> words_of(std::string_view text) {
  std::vector<Word> out;
  size_t i = 0;
  const auto at = [&](size_t k) -> unsigned char {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0;
  };
  bool quote_open = false;
  while (i < text.size()) {
    const unsigned char c = at(i);
    if (c == '%' || c == '$' || c == '/' || c == '<') {
      out.push_back({std::string(1, static_cast<char>(c)), std::string(1, static_cast<char>(c)), i,
                     i + 1, false});
      ++i;
      continue;
    }
    if (!is_word_char(c)) {
      if (c == '`' || c == '"' || c == '\'') quote_open = true;
      ++i;
      continue;
    }
    const size_t begin = i;
    while (i < text.size()) {
      const unsigned char d = at(i);
      const bool inner = (d == '.' || d == ',' || d == '\'') && i > begin &&
                         std::isalnum(at(i - 1)) != 0 && std::isalnum(at(i + 1)) != 0 &&
                         // "1,500" and "2.5" and "don't", but not "a,b" between words
                         (d != ',' || (std::isdigit(at(i - 1)) != 0 && std::isdigit(at(i + 1))));
      if (!is_word_char(d) && !inner) break;
      ++i;
    }
    Word w;
    w.text = std::string(text.substr(begin, i - begin));
    w.lower = w.text;
    for (auto& ch : w.lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    w.begin = begin;
    w.end = i;
    w.quoted = quote_open || at(i) == '`' || at(i) == '"';
    quote_open = false;
    out.push_back(std::move(w));
  }
  return out;
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// "1,500.5k" → 1500500 with suffix ""; "2s" → 2 with suffix "s"; "30" → 30.
struct Number {
  double value = 0;
  std::string suffix;  // lower case, what follows the digits
};

std::optional<Number> number_in(const Word& w) {
  std::string digits;
  size_t k = 0;
  for (; k < w.lower.size(); ++k) {
    const char c = w.lower[k];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.') {
      digits.push_back(c);
    } else if (c != ',') {
      break;
    }
  }
  if (digits.empty() || digits == ".") return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  Number n{value, w.lower.substr(k)};
  if (n.suffix == "k") {
    n.value *= 1'000;
    n.suffix.clear();
  }
  return n;
}

std::string_view span_text(std::string_view text, const std::vector<Word>& words, size_t first,
                           size_t last) {
  return text.substr(words[first].begin, words[last].end - words[first].begin);
}

// Words that may stand between "without" and "latency" in a constraint: "without hurting the
// p99", "no slower", "keep our answers as good". Anything else ends the look-ahead, so that
// "I do not understand the latency" states no constraint.
bool is_filler(std::string_view w) {
  return one_of(w, {"hurting",      "hurt",       "affecting",   "affect",    "impacting", "impact",
                    "increasing",   "increase",   "raising",     "raise",     "worsening", "worsen",
                    "degrading",    "degrade",    "sacrificing", "sacrifice", "losing",    "lose",
                    "compromising", "compromise", "harming",     "harm",      "making",    "make",
                    "it",           "its",        "it's",        "any",       "the",       "our",
                    "my",           "more",       "much",        "a",         "lot",       "being",
                    "getting",      "get",        "becoming",    "them",      "things",    "answer",
                    "response",     "reducing",   "reduce",      "lowering",  "lower",     "change",
                    "changing",     "touching",   "touch",       "breaking",  "break",     "with",
                    "worse",        "on",         "in",          "of"});
}

bool is_keep_word(std::string_view w) {
  return one_of(
      w, {"without", "no", "not", "never", "keep", "keeping", "maintain", "maintaining", "preserve",
          "preserving", "don't", "dont", "shouldn't", "mustn't", "can't", "cannot", "won't"});
}

bool is_latency_word(std::string_view w) {
  return one_of(w, {"latency", "latencies", "speed", "slower", "slowing", "slowdown", "slow",
                    "responsiveness", "p50", "p90", "p95", "p99", "ttft"});
}

bool is_quality_word(std::string_view w) {
  return one_of(w, {"quality", "accuracy", "accurate", "answers", "correctness", "worse"});
}

// A keep-word followed, past fillers only, by a word of `is_target`: the index of that word.
template <typename IsTarget>
std::optional<size_t> kept_after(const std::vector<Word>& words, size_t i, IsTarget is_target) {
  if (!is_keep_word(words[i].lower)) return std::nullopt;
  for (size_t j = i + 1; j < words.size() && j <= i + 5; ++j) {
    if (is_target(words[j].lower)) return j;
    if (!is_filler(words[j].lower)) return std::nullopt;
  }
  return std::nullopt;
}

// "latency stays the same", "same quality": the target word beside a word of staying.
template <typename IsTarget>
std::optional<std::pair<size_t, size_t>> staying(const std::vector<Word>& words, size_t i,
                                                 IsTarget is_target) {
  if (!is_target(words[i].lower)) return std::nullopt;
  if (i > 0 && one_of(words[i - 1].lower, {"same", "unchanged", "equal"})) {
    return std::pair{i - 1, i};
  }
  for (size_t j = i + 1; j < words.size() && j <= i + 4; ++j) {
    if (one_of(words[j].lower, {"unchanged", "intact", "same", "stay", "stays", "flat"})) {
      return std::pair{i, j};
    }
  }
  return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kVendorWords = {{
    {"openai", "openai"},
    {"anthropic", "anthropic"},
    {"claude", "anthropic"},
    {"google", "google"},
    {"gemini", "google"},
    {"meta", "meta"},
    {"llama", "meta"},
    {"mistral", "mistral"},
    {"gpt", "openai"},
}};

std::optional<std::string_view> vendor_of(std::string_view word) {
  for (const auto& [spelling, vendor] : kVendorWords) {
    if (word == spelling || word == std::string(spelling) + "'s") return vendor;
  }
  return std::nullopt;
}

// A workload name after "leave" or "except": quoted, or shaped like an id (a digit, '-', '_').
bool looks_like_workload(const Word& w) {
  if (w.quoted) return true;
  return std::any_of(w.text.begin(), w.text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

class GoalReader {
 public:
  explicit GoalReader(std::string_view text) : text_(text), words_(words_of(text)) {}

  RequestGoals read() {
    for (size_t i = 0; i < words_.size(); ++i) {
      saving_share(i);
      money_per_month(i);
      latency_limit(i);
      keep(i);
      vendors(i);
      protected_workloads(i);
    }
    return std::move(goals_);
  }

 private:
  void phrase(size_t first, size_t last, bool constraint) {
    auto text = std::string(span_text(text_, words_, first, last));
    if (constraint) {
      goals_.constraint_phrases.push_back(std::move(text));
      goals_.constraint_spans.emplace_back(words_[first].begin, words_[last].end);
    } else {
      goals_.target_phrases.push_back(std::move(text));
    }
  }

  // "cut my costs by 30%", "30 percent cheaper", "save 25 %".
  void saving_share(size_t i) {
    if (goals_.saving_share) return;
    const auto n = number_in(words_[i]);
    if (!n || !n->suffix.empty() || i + 1 >= words_.size()) return;
    size_t last = i + 1;
    if (words_[last].lower != "%" && !one_of(words_[last].lower, {"percent", "pct"})) {
      if (!(words_[last].lower == "per" && last + 1 < words_.size() &&
            words_[last + 1].lower == "cent")) {
        return;
      }
      ++last;
    }
    if (n->value <= 0 || n->value >= 100) return;
    std::optional<size_t> first;
    for (size_t k = i; k-- > 0 && i - k <= 6;) {
      if (one_of(words_[k].lower, {"p50", "p90", "p95", "p99", "error", "errors", "latency",
                                   "failure", "failures", "cache", "cached"})) {
        return;  // a share of something else: "p99 30% lower", "errors at 5%"
      }
      if (one_of(words_[k].lower,
                 {"cut", "cutting", "reduce", "reducing", "lower", "lowering", "save", "saving",
                  "savings", "slash", "decrease", "drop", "trim", "shave", "reduction", "down"})) {
        first = k;
      }
    }
    if (!first && last + 1 < words_.size() &&
        one_of(words_[last + 1].lower,
               {"cheaper", "less", "lower", "off", "reduction", "saving", "savings", "cut"})) {
      first = i;
      ++last;
    }
    if (!first) return;
    goals_.saving_share = n->value / 100;
    phrase(*first, last, false);
  }

  // "$500 a month", "500 dollars per month", "$1.5k/month": a budget after "under", "below",
  // "at most", "to"…; a saving after "save", "cut", "by".
  void money_per_month(size_t i) {
    size_t number_at = i;
    bool money = false;
    if (words_[i].lower == "$" && i + 1 < words_.size()) {
      number_at = i + 1;
      money = true;
    }
    const auto n = number_in(words_[number_at]);
    if (!n || !n->suffix.empty() || n->value <= 0) return;
    size_t last = number_at;
    if (!money && last + 1 < words_.size() &&
        one_of(words_[last + 1].lower, {"usd", "dollars", "dollar", "$"})) {
      money = true;
      ++last;
    }
    if (!money) return;
    std::optional<size_t> month;
    for (size_t j = last + 1; j < words_.size() && j <= last + 3; ++j) {
      if (one_of(words_[j].lower, {"month", "monthly", "mo"})) {
        month = j;
        break;
      }
      if (!one_of(words_[j].lower, {"a", "per", "/", "each", "every", "in", "usd"})) break;
    }
    if (!month) return;
    for (size_t k = i; k-- > 0 && i - k <= 4;) {
      const auto& w = words_[k].lower;
      if (!goals_.monthly_budget_usd &&
          one_of(w, {"under", "below", "beneath", "within", "most", "max", "maximum", "budget",
                     "cap", "<", "than", "to"})) {
        goals_.monthly_budget_usd = n->value;
        phrase(k, *month, false);
        return;
      }
      if (!goals_.monthly_saving_usd &&
          one_of(w, {"save", "saving", "cut", "reduce", "by", "shave", "trim", "lower"})) {
        goals_.monthly_saving_usd = n->value;
        phrase(k, *month, false);
        return;
      }
    }
  }

  // "p99 under 2 s", "keep p95 below 1500 ms", "latency under 2 seconds" (read as p99).
  void latency_limit(size_t i) {
    if (goals_.latency_limit) return;
    int percentile = 0;
    const auto& anchor = words_[i].lower;
    if (anchor == "p50") percentile = 50;
    if (anchor == "p90" || anchor == "p95") percentile = 95;
    if (anchor == "p99" || anchor == "latency") percentile = 99;
    if (percentile == 0) return;
    size_t j = i + 1;
    while (j < words_.size() && j <= i + 3 &&
           !one_of(words_[j].lower, {"under", "below", "within", "<", "beneath", "most"})) {
      ++j;
    }
    if (j >= words_.size() || j > i + 3 || j + 1 >= words_.size()) return;
    const auto n = number_in(words_[j + 1]);
    if (!n || n->value <= 0) return;
    std::string unit = n->suffix;
    size_t last = j + 1;
    if (unit.empty() && last + 1 < words_.size()) unit = words_[++last].lower;
    double ms = 0;
    if (one_of(unit, {"ms", "millisecond", "milliseconds", "msec"})) {
      ms = n->value;
    } else if (one_of(unit, {"s", "sec", "secs", "second", "seconds"})) {
      ms = n->value * 1'000;
    } else {
      return;
    }
    goals_.latency_limit = LatencyLimit{percentile, ms};
    phrase(i, last, true);
  }

  void keep(size_t i) {
    if (auto j = kept_after(words_, i, is_latency_word)) {
      goals_.keep_latency = true;
      phrase(i, *j, true);
    } else if (auto s = staying(words_, i, is_latency_word)) {
      goals_.keep_latency = true;
      phrase(s->first, s->second, true);
    }
    if (auto j = kept_after(words_, i, is_quality_word)) {
      goals_.keep_quality = true;
      phrase(i, *j, true);
    } else if (auto s = staying(words_, i, is_quality_word)) {
      goals_.keep_quality = true;
      phrase(s->first, s->second, true);
    }
  }

  // "only OpenAI", "stick to Anthropic", "OpenAI models only".
  void vendors(size_t i) {
    const auto& w = words_[i].lower;
    if (one_of(w, {"only", "just", "stick", "stay", "exclusively"})) {
      for (size_t j = i + 1; j < words_.size() && j <= i + 3; ++j) {
        if (auto vendor = vendor_of(words_[j].lower)) {
          add_unique(goals_.only_vendors, std::string(*vendor));
          phrase(i, j, true);
          // "only OpenAI and Anthropic"
          while (j + 2 < words_.size() && one_of(words_[j + 1].lower, {"and", "or"})) {
            auto more = vendor_of(words_[j + 2].lower);
            if (!more) break;
            add_unique(goals_.only_vendors, std::string(*more));
            j += 2;
          }
          return;
        }
        if (!one_of(words_[j].lower, {"to", "with", "use", "using", "the", "on"})) return;
      }
      return;
    }
    if (auto vendor = vendor_of(w)) {
      for (size_t j = i + 1; j < words_.size() && j <= i + 2; ++j) {
        if (words_[j].lower == "only") {
          add_unique(goals_.only_vendors, std::string(*vendor));
          phrase(i, j, true);
          return;
        }
        if (!one_of(words_[j].lower, {"models", "model"})) return;
      }
    }
  }

  // "leave support-chat alone", "don't touch `billing`", "except code-review and search-1".
  void protected_workloads(size_t i) {
    const auto& w = words_[i].lower;
    const bool negated =
        i > 0 && one_of(words_[i - 1].lower, {"don't", "dont", "not", "never", "without"});
    if (!one_of(w, {"leave", "except", "excluding", "exclude", "apart"}) &&
        !(negated && one_of(w, {"touch", "change", "touching", "changing", "modify"}))) {
      return;
    }
    size_t j = i + 1;
    while (j < words_.size() &&
           one_of(words_[j].lower, {"the", "our", "my", "for", "from", "workload", "workloads"})) {
      ++j;
    }
    size_t last = i;
    std::vector<std::string> names;
    while (j < words_.size() && looks_like_workload(words_[j])) {
      names.push_back(words_[j].text);
      last = j;
      if (j + 2 < words_.size() && one_of(words_[j + 1].lower, {"and", "or"})) {
        j += 2;
      } else {
        break;
      }
    }
    if (names.empty()) return;
    if (last + 1 < words_.size() &&
        one_of(words_[last + 1].lower, {"alone", "unchanged", "untouched", "workload"})) {
      ++last;
    }
    for (auto& name : names) add_unique(goals_.protected_workloads, std::move(name));
    phrase(negated ? i - 1 : i, last, true);
  }

  std::string_view text_;
  std::vector<Word> words_;
  RequestGoals goals_;
};

}  // namespace

RequestGoals read_goals(std::string_view request) {
  return GoalReader(request).read();
}

std::string without_constraints(std::string_view request, const RequestGoals& goals) {
  std::string out(request);
  for (const auto& [begin, end] : goals.constraint_spans) {
    for (size_t k = begin; k < end && k < out.size(); ++k) out[k] = ' ';
  }
  return out;
}

RequestGoals goals_from_json(const nlohmann::json& json) {
  RequestGoals goals;
  if (!json.is_object()) return goals;
  const auto number = [&](const char* key) -> std::optional<double> {
    const auto it = json.find(key);
    if (it == json.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  const auto strings = [&](const char* key) {
    std::vector<std::string> out;
    const auto it = json.find(key);
    if (it == json.end() || !it->is_array()) return out;
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  };
  goals.saving_share = number("saving_share");
  goals.monthly_budget_usd = number("monthly_budget_usd");
  goals.monthly_saving_usd = number("monthly_saving_usd");
  if (const auto it = json.find("latency_limit"); it != json.end() && it->is_object()) {
    const auto percentile = it->value("percentile", 0);
    const auto max_ms = it->value("max_ms", 0.0);
    if ((percentile == 50 || percentile == 95 || percentile == 99) && max_ms > 0) {
      goals.latency_limit = LatencyLimit{percentile, max_ms};
    }
  }
  goals.keep_latency = json.value("keep_latency", false);
  goals.keep_quality = json.value("keep_quality", false);
  goals.only_vendors = strings("only_vendors");
  goals.protected_workloads = strings("protected_workloads");
  goals.target_phrases = strings("target_phrases");
  goals.constraint_phrases = strings("constraint_phrases");
  return goals;
}

nlohmann::json to_json(const RequestGoals& goals) {
  nlohmann::json out = nlohmann::json::object();
  if (goals.saving_share) out["saving_share"] = *goals.saving_share;
  if (goals.monthly_budget_usd) out["monthly_budget_usd"] = *goals.monthly_budget_usd;
  if (goals.monthly_saving_usd) out["monthly_saving_usd"] = *goals.monthly_saving_usd;
  if (goals.latency_limit) {
    out["latency_limit"] = {{"percentile", goals.latency_limit->percentile},
                            {"max_ms", goals.latency_limit->max_ms}};
  }
  if (goals.keep_latency) out["keep_latency"] = true;
  if (goals.keep_quality) out["keep_quality"] = true;
  if (!goals.only_vendors.empty()) out["only_vendors"] = goals.only_vendors;
  if (!goals.protected_workloads.empty()) out["protected_workloads"] = goals.protected_workloads;
  if (!goals.target_phrases.empty()) out["target_phrases"] = goals.target_phrases;
  if (!goals.constraint_phrases.empty()) out["constraint_phrases"] = goals.constraint_phrases;
  return out;
}

}  // namespace netra::agents
