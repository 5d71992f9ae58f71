#include "agents/triage.hpp"

#include <algorithm>
#include <cctype>

#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::find_model;
using analytics::models_in_text;
namespace {

// Analytics ids are at most 128 bytes (analytics::kMaxNameBytes).
constexpr size_t kMaxWorkloadIdBytes = 128;

struct Token {
  std::string text;     // without surrounding quotes and punctuation
  bool quoted = false;  // was in quotes or backticks
};

bool is_id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

// Whitespace-separated tokens; "workload:billing" and "workload_id=billing" are two tokens.
std::vector<Token> tokens_of(std::string_view text) {
  std::vector<Token> out;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    Token t;
    size_t begin = 0;
    size_t end = current.size();
    while (begin < end && !is_id_char(current[begin])) {
      t.quoted =
          t.quoted || current[begin] == '`' || current[begin] == '"' || current[begin] == '\'';
      ++begin;
    }
    // A trailing dot ends the sentence; it is not part of the name.
    while (end > begin && (!is_id_char(current[end - 1]) || current[end - 1] == '.')) --end;
    t.text = current.substr(begin, end - begin);
    out.push_back(std::move(t));
    current.clear();
  };
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '=' || c == ',' ||
        c == ';' || c == '(' || c == ')') {
      flush();
    } else {
      current.push_back(c);
    }
  }
  flush();
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool looks_like_id(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

bool usable(const Token& t) {
  return !t.text.empty() && t.text.size() <= kMaxWorkloadIdBytes &&
         std::all_of(t.text.begin(), t.text.end(), is_id_char) && find_model(t.text) == nullptr;
}

// Words that describe a workload rather than name it ("the expensive workload").
bool is_describing_word(std::string_view lowered) {
  static constexpr std::string_view kWords[] = {
      "expensive", "cheap", "cheapest", "biggest", "largest", "main",  "slow", "slowest",
      "busiest",   "whole", "entire",   "same",    "other",   "new",   "old",  "first",
      "last",      "top",   "failing",  "costly",  "current", "every", "each", "any"};
  return std::find(std::begin(kWords), std::end(kWords), lowered) != std::end(kWords);
}

bool is_workload_word(std::string_view lowered) {
  return lowered == "workload" || lowered == "workloads" || lowered == "workload_id" ||
         lowered == "workload-id";
}

}  // namespace

std::vector<std::string> workloads_in_text(std::string_view request) {
  const auto tokens = tokens_of(request);
  std::vector<std::string> found;
  auto add = [&](const std::string& id) {
    if (std::find(found.begin(), found.end(), id) == found.end()) found.push_back(id);
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (t.text.rfind("wl_", 0) == 0 && t.text.size() > 3 && usable(t)) {
      add(t.text);
      continue;
    }
    if (!is_workload_word(lower(t.text))) continue;
    // After the word: "workload support-bot", "workload named billing", "workloads a-1 and b-2".
    for (size_t j = i + 1; j < tokens.size(); ++j) {
      const auto& next = tokens[j];
      const auto word = lower(next.text);
      if (word == "named" || word == "called" || word == "id") {
        if (j + 1 < tokens.size() && usable(tokens[j + 1])) add(tokens[j + 1].text);
        break;
      }
      if (word == "and" || word == "or") continue;
      if (!usable(next) || !(next.quoted || looks_like_id(next.text))) break;
      add(next.text);
    }
    // Before the word: "the `summarizer` workload", "our support-bot workload".
    if (i > 0 && usable(tokens[i - 1])) {
      const auto& before = tokens[i - 1];
      const bool determiner =
          i > 1 && (lower(tokens[i - 2].text) == "the" || lower(tokens[i - 2].text) == "our" ||
                    lower(tokens[i - 2].text) == "my");
      if (before.quoted || looks_like_id(before.text) ||
          (determiner && !is_describing_word(lower(before.text)))) {
        add(before.text);
      }
    }
  }
  return found;
}

void add_named_workloads(TriageResult& triage, std::string_view request,
                         const std::vector<std::string>& known_workloads) {
  const auto& kept = triage.goals.protected_workloads;
  for (const auto& token : tokens_of(request)) {
    const auto word = lower(token.text);
    for (const auto& known : known_workloads) {
      if (lower(known) != word) continue;
      if (std::find(kept.begin(), kept.end(), known) != kept.end()) continue;
      if (std::find(triage.workloads.begin(), triage.workloads.end(), known) ==
          triage.workloads.end()) {
        triage.workloads.push_back(known);
      }
    }
  }
}

bool off_topic(const TriageResult& triage, std::string_view request) {
  if (triage.intent != Intent::general_question || !triage.models.empty() ||
      !triage.workloads.empty() || triage.goals.has_target() || triage.goals.has_constraints()) {
    return false;
  }
  static constexpr std::string_view kTopicWords[] = {
      "llm",        "llms",        "ai",           "model",     "models",
      "gpt",        "claude",      "gemini",       "mistral",   "llama",
      "openai",     "anthropic",   "token",        "tokens",    "prompt",
      "prompts",    "workload",    "workloads",    "call",      "calls",
      "request",    "requests",    "api",          "inference", "embedding",
      "embeddings", "cache",       "caching",      "vendor",    "vendors",
      "provider",   "providers",   "agent",        "agents",    "chatbot",
      "completion", "completions", "data",         "events",    "traffic",
      "optimize",   "optimise",    "optimization", "recommend", "recommendations",
      "improve",    "analyse",     "analyze",      "analysis"};
  for (const auto& token : tokens_of(request)) {
    const auto word = lower(token.text);
    if (std::find(std::begin(kTopicWords), std::end(kTopicWords), word) != std::end(kTopicWords)) {
      return false;
    }
  }
  return true;
}

TriageResult triage(std::string_view request, int64_t now_ms) {
  TriageResult result;
  for (const auto* model : models_in_text(request)) result.models.emplace_back(model->name);
  result.goals = read_goals(request);
  // "without hurting latency" says what to keep, not what the request is about.
  auto reading = classify_intent(without_constraints(request, result.goals), result.models.size());
  result.intent = reading.intent;
  result.cues = std::move(reading.cues);
  result.window = parse_time_window(request, now_ms);
  // A workload to leave alone is not what the request is about.
  for (auto& w : workloads_in_text(request)) {
    const auto& kept = result.goals.protected_workloads;
    if (std::find(kept.begin(), kept.end(), w) == kept.end()) result.workloads.push_back(w);
  }
  return result;
}

nlohmann::json to_json(const TriageResult& triage) {
  nlohmann::json window = {{"from_ms", triage.window.range.from_ms},
                           {"to_ms", triage.window.range.to_ms},
                           {"label", triage.window.label},
                           {"stated", triage.window.stated}};
  if (!triage.window.note.empty()) window["note"] = triage.window.note;
  return {{"intent", to_string(triage.intent)}, {"cues", triage.cues},
          {"window", std::move(window)},        {"models", triage.models},
          {"workloads", triage.workloads},      {"goals", to_json(triage.goals)}};
}

}  // namespace netra::agents
