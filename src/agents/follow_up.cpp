#include "agents/follow_up.hpp"

#include <fmt/format.h>

namespace netra::agents {
namespace {

using nlohmann::json;

constexpr size_t kMaxContextModels = 30;
constexpr size_t kMaxPhraseBytes = 200;

std::vector<std::string> strings_of(const json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& v : value) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<ReportContext> context_of(const json& metadata) {
  if (!metadata.is_object() || metadata.value("kind", "") != "agent_report") return std::nullopt;
  const auto found = metadata.find("context");
  if (found == metadata.end() || !found->is_object()) return std::nullopt;
  const auto& c = *found;
  ReportContext out;
  try {
    out.intent = parse_intent(c.value("intent", "")).value_or(Intent::general_question);
    const auto& w = c.at("window");
    out.window.range = {w.at("from_ms").get<int64_t>(), w.at("to_ms").get<int64_t>()};
    out.window.label = w.at("label").get<std::string>();
    out.window.stated = true;
    out.models = strings_of(c.value("models", json::array()));
    out.workloads = strings_of(c.value("workloads", json::array()));
    out.goals = goals_from_json(c.value("goals", json::object()));
    // Named, not a temporary: items() refers to the document it walks.
    const json spend = c.value("spend_by_model", json::object());
    for (const auto& [model, cost] : spend.items()) {
      if (cost.is_number()) out.spend_by_model[model] = cost.get<double>();
    }
    out.monthly_factor = c.value("monthly_factor", 0.0);
    out.monthly_spend_usd = c.value("monthly_spend_usd", 0.0);
    out.monthly_saving_usd = c.value("monthly_saving_usd", 0.0);
  } catch (const json::exception&) {
    return std::nullopt;  // written by another version: start afresh
  }
  return out;
}

std::string names(const std::vector<std::string>& list) {
  return fmt::format("{}", fmt::join(list, ", "));
}

}  // namespace

json context_metadata(const TriageResult& triage, const DataSnapshot& data,
                      const OptimizationResult& optimization) {
  json spend = json::object();
  for (const auto& g : data.by_model) {
    if (spend.size() < kMaxContextModels) spend[g.key] = g.cost_usd;
  }
  auto goals = to_json(triage.goals);
  for (const auto* key : {"target_phrases", "constraint_phrases"}) {
    if (!goals.contains(key)) continue;
    for (auto& phrase : goals[key]) {
      auto text = phrase.get<std::string>();
      if (text.size() > kMaxPhraseBytes) {
        size_t end = kMaxPhraseBytes;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        text.resize(end);
      }
      phrase = text;
    }
  }
  return {{"intent", to_string(triage.intent)},
          {"window",
           {{"from_ms", triage.window.range.from_ms},
            {"to_ms", triage.window.range.to_ms},
            {"label", triage.window.label}}},
          {"models", triage.models},
          {"workloads", triage.workloads},
          {"goals", std::move(goals)},
          {"spend_by_model", std::move(spend)},
          {"monthly_factor", optimization.monthly_factor},
          {"monthly_spend_usd", optimization.monthly_spend_usd},
          {"monthly_saving_usd", optimization.monthly_saving_usd}};
}

std::optional<ReportContext> latest_report_context(const std::vector<json>& metadata) {
  for (auto it = metadata.rbegin(); it != metadata.rend(); ++it) {
    if (auto context = context_of(*it)) return context;
  }
  return std::nullopt;
}

std::vector<std::string> carry_over(TriageResult& triage, const ReportContext& previous) {
  std::vector<std::string> carried;
  if (!triage.window.stated) {
    triage.window = previous.window;
    // "last 30 days (default)" was the default there; here it is what the thread looked at.
    auto& label = triage.window.label;
    if (const auto cut = label.find(" ("); cut != std::string::npos) label.resize(cut);
    carried.push_back(fmt::format("the period ({})", label));
  }
  if (triage.models.empty() && !previous.models.empty()) {
    triage.models = previous.models;
    carried.push_back(fmt::format("the models ({})", names(previous.models)));
  }
  if (triage.intent == Intent::general_question && previous.intent != Intent::general_question) {
    triage.intent = previous.intent;
    carried.push_back(fmt::format("the question ({})", to_string(previous.intent)));
  }
  if (!triage.goals.has_target() && !triage.goals.has_constraints() &&
      (previous.goals.has_target() || previous.goals.has_constraints())) {
    triage.goals = previous.goals;
    std::vector<std::string> phrases = previous.goals.target_phrases;
    for (const auto& p : previous.goals.constraint_phrases) phrases.push_back(p);
    carried.push_back(fmt::format("the goals (“{}”)", fmt::join(phrases, "”, “")));
  }
  return carried;
}

std::vector<std::string> carry_workloads(TriageResult& triage, const ReportContext& previous) {
  if (!triage.workloads.empty() || previous.workloads.empty()) return {};
  triage.workloads = previous.workloads;
  return {fmt::format("the workloads ({})", names(previous.workloads))};
}

}  // namespace netra::agents
