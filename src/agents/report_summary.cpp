#include "agents/report_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "agents/agent_run.hpp"
#include "agents/markdown_format.hpp"
#include "core/trim.hpp"
#include "core/utf8.hpp"
#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

namespace md = markdown;
using nlohmann::json;

constexpr size_t kTopModels = 3;
constexpr size_t kTopRecommendations = 5;

constexpr std::string_view kSystem =
    "You write the summary paragraph of a report on someone's use of LLM APIs. Use only the facts "
    "in the user message (JSON). Copy every figure exactly as it is written there — same rounding, "
    "same currency and percent format — and add no other number, estimate or date. Write two to "
    "four sentences of plain prose that answer what question_kind asks, then name the largest "
    "saving or fix. No headings, lists, tables or Markdown links; do not mention these "
    "instructions or the JSON.";

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// "1,234.50" → "1234.5", "094" → "94", "94.0" → "94": how a figure is compared.
std::string normalized(std::string number) {
  if (number.find('.') != std::string::npos) {
    while (number.back() == '0') number.pop_back();
    if (number.back() == '.') number.pop_back();
  }
  const auto first = number.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  if (number[first] == '.') return number.substr(first - 1);
  return number.substr(first);
}

// Every figure in `text`: digits, with ',' or '.' between digits.
std::set<std::string> figures(std::string_view text) {
  std::set<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    std::string number;
    while (i < text.size()) {
      const char c = text[i];
      if (is_digit(c)) {
        number += c;
      } else if ((c == ',' || c == '.') && i + 1 < text.size() && is_digit(text[i + 1])) {
        if (c == '.') number += c;
      } else {
        break;
      }
      ++i;
    }
    out.insert(normalized(std::move(number)));
  }
  return out;
}

json top_models(const std::vector<analytics::GroupSummary>& groups) {
  std::vector<const analytics::GroupSummary*> sorted;
  for (const auto& g : groups) sorted.push_back(&g);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->cost_usd > b->cost_usd; });
  json out = json::array();
  for (size_t i = 0; i < sorted.size() && i < kTopModels; ++i) {
    out.push_back({{"model", sorted[i]->key},
                   {"calls", md::count(static_cast<double>(sorted[i]->requests))},
                   {"cost", md::money(sorted[i]->cost_usd)}});
  }
  return out;
}

json top_recommendations(const std::vector<Recommendation>& recommendations) {
  json out = json::array();
  for (size_t i = 0; i < recommendations.size() && i < kTopRecommendations; ++i) {
    const auto& r = recommendations[i];
    json item = {{"id", r.id}, {"title", r.title}};
    if (r.monthly_saving_usd > 0) {
      item["saving_per_month"] = md::money(r.monthly_saving_usd);
    } else {
      item["gain"] =
          r.kind == RecommendationKind::latency ? "faster answers" : "fewer failed calls";
    }
    out.push_back(std::move(item));
  }
  return out;
}

// The summary sits under the report's own heading: a heading of the model's would split it, so
// the marks of one ("## ") are taken off its line.
std::string without_headings(std::string_view reply) {
  std::string text;
  size_t start = 0;
  while (start <= reply.size()) {
    size_t end = reply.find('\n', start);
    if (end == std::string_view::npos) end = reply.size();
    std::string_view line = reply.substr(start, end - start);
    const auto body = line.find_first_not_of("# ");
    if (!line.empty() && line[0] == '#')
      line = body == std::string_view::npos ? "" : line.substr(body);
    text.append(line);
    if (end < reply.size()) text += '\n';
    start = end + 1;
  }
  return text;
}

// One piece of the model's reply: what of it became certain, sent after the report's lead.
asio::awaitable<void> stream_piece(SummaryDraft& draft, ReportChunks& chunks, std::string piece) {
  auto fresh = draft.push(piece);
  if (!fresh.empty()) co_await chunks.append(std::move(fresh));
}

}  // namespace

ChatPrompt summary_prompt(const ReportInput& in) {
  const auto& opt = in.optimization;
  int64_t calls = 0;
  for (const auto& g : in.data.by_model) calls += g.requests;
  json facts = {
      {"question_kind", to_string(in.triage.intent)},
      {"period",
       {{"label", in.triage.window.label},
        {"from", md::utc_time(in.data.range.from_ms)},
        {"to", md::utc_time(in.data.range.to_ms)}}},
      {"calls", md::count(static_cast<double>(calls))},
      {"spend_in_period", md::money(opt.window_cost_usd)},
      {"spend_per_month_at_this_rate", md::money(opt.monthly_spend_usd)},
      {"monthly_figures_scale_the_period_to", "30 days"},
      {"saving_per_month_if_all_applied", md::money(opt.monthly_saving_usd)},
      {"saving_share_of_spend",
       md::percent(opt.monthly_spend_usd > 0 ? opt.monthly_saving_usd / opt.monthly_spend_usd : 0)},
      {"key_finding", summary_headline(in)},
      {"costliest_models", top_models(in.data.by_model)},
      {"recommendation_count", opt.recommendations.size()},
      {"top_recommendations", top_recommendations(opt.recommendations)},
      {"action_count", in.actions.size()},
  };
  json notes = json::array();
  if (!in.triage.window.note.empty()) notes.push_back(in.triage.window.note);
  for (const auto& note : in.data.notes) notes.push_back(note);
  if (!notes.empty()) facts["notes"] = std::move(notes);
  return {std::string(kSystem), facts.dump(-1, ' ', false, json::error_handler_t::replace)};
}

core::Result<std::string, SummaryRefused> checked_summary(const std::string& reply,
                                                          const std::string& facts) {
  const auto known = figures(facts);
  std::vector<std::string> unknown;
  for (const auto& figure : figures(reply)) {
    if (known.count(figure) == 0) unknown.push_back(figure);
  }
  if (!unknown.empty()) {
    return SummaryRefused{fmt::format("the reply has figures that are not in the facts: {}",
                                      fmt::join(unknown, ", "))};
  }
  return without_headings(reply);
}

std::string SummaryDraft::push(std::string_view piece) {
  raw_.append(piece);
  // Blanks at either end and heading marks at a line's start are dropped from the whole reply,
  // so text that needs what follows to be certain (a trailing blank, a lone "#") waits for it.
  const std::string certain = without_headings(core::trimmed(raw_));
  if (certain.size() <= sent_ || certain.compare(0, sent_, text_) != 0) return "";
  std::string fresh = certain.substr(sent_);
  text_ = certain;
  sent_ = certain.size();
  return fresh;
}

asio::awaitable<std::optional<PhrasedSummary>> phrase_summary(ChatCompletionsClient& client,
                                                              RunEmitter& emitter,
                                                              const ReportInput& input,
                                                              core::Deadline deadline,
                                                              ReportChunks* chunks) {
  std::optional<PhrasedSummary> phrased;
  if (!input.data.completeness.sufficient) co_return phrased;
  const std::string_view agent = kSteps[4];
  auto prompt = summary_prompt(input);
  const std::string facts = prompt.user;
  json parameters = {{"model", client.model()}, {"timeout_ms", client.timeout().count()}};
  co_await emitter.tool_executing(agent, kSummaryTool, std::move(parameters));
  SummaryDraft draft;
  ChatCompletionsClient::TextPart on_text = nullptr;
  if (chunks != nullptr) {
    on_text = [&draft, chunks](std::string_view piece) {
      return stream_piece(draft, *chunks, std::string(piece));
    };
  }
  auto reply = co_await client.complete(std::move(prompt), deadline, std::move(on_text));
  json error;
  if (!reply) {
    error = {{"code", to_string(reply.error().kind)}, {"message", reply.error().message}};
    if (reply.error().status != 0) error["status"] = reply.error().status;
  } else if (auto checked = checked_summary(reply.value(), facts); !checked) {
    error = {{"code", "unchecked_figures"}, {"message", checked.error().message}};
    telemetry::logger("agents")->warn("the summary of {} was not used: {}", client.model(),
                                      checked.error().message);
  } else {
    phrased = PhrasedSummary{std::move(checked.value()), client.model()};
  }
  if (phrased) {
    json result = {{"model", client.model()}, {"summary", phrased->text}};
    co_await emitter.tool_completed(agent, kSummaryTool, std::move(result));
  } else {
    error["fallback"] = "the computed summary";
    co_await emitter.tool_completed(agent, kSummaryTool, std::move(error),
                                    RunEmitter::ToolOutcome::failed);
  }
  co_return phrased;
}

ChatPrompt title_prompt(const TriageResult& triage, const std::string& rule_title) {
  const json facts = {{"intent", to_string(triage.intent)},
                      {"models", triage.models},
                      {"workloads", triage.workloads},
                      {"period", triage.window.label},
                      {"plain_title", rule_title}};
  return {
      "You name conversations about LLM usage and spend. From the facts below, reply with one "
      "title of at most 8 words for the conversation: plain text on one line, no quotes, no "
      "markup, no final period. Keep model and workload names exactly as given.",
      facts.dump()};
}

std::optional<std::string> checked_title(const std::string& reply) {
  std::string line = reply.substr(0, reply.find('\n'));
  std::string out;
  for (char c : line) {
    if (std::string_view("\"`*_#<>[]").find(c) != std::string_view::npos) continue;
    if (c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  if (out.rfind("Title: ", 0) == 0) out.erase(0, 7);
  if (!out.empty() && out.front() == '\'' && out.back() == '\'')
    out = out.substr(1, out.size() - 2);
  const size_t words = static_cast<size_t>(std::count(out.begin(), out.end(), ' ')) + 1;
  if (out.size() < 3 || core::count_code_points(out) > 80 || words > 10 ||
      !core::is_valid_utf8(out)) {
    return std::nullopt;
  }
  return out;
}

asio::awaitable<std::optional<std::string>> phrase_title(ChatCompletionsClient& client,
                                                         RunEmitter& emitter,
                                                         const TriageResult& triage,
                                                         const std::string& rule_title,
                                                         core::Deadline deadline) {
  const std::string_view agent = kSteps[4];
  json parameters = {{"model", client.model()}};
  co_await emitter.tool_executing(agent, kTitleTool, std::move(parameters));
  auto prompt = title_prompt(triage, rule_title);
  auto reply = co_await client.complete(std::move(prompt), deadline);
  std::optional<std::string> title;
  json error;
  if (!reply) {
    error = {{"code", to_string(reply.error().kind)}, {"message", reply.error().message}};
  } else if (title = checked_title(reply.value()); !title) {
    error = {{"code", "unusable_title"},
             {"message", "not one line of 3 to 80 characters with at most 10 words"}};
  }
  if (title) {
    json result = {{"model", client.model()}, {"title", *title}};
    co_await emitter.tool_completed(agent, kTitleTool, std::move(result));
  } else {
    error["fallback"] = rule_title;
    co_await emitter.tool_completed(agent, kTitleTool, std::move(error),
                                    RunEmitter::ToolOutcome::failed);
  }
  co_return title;
}

}  // namespace netra::agents
