// The rules that save money: a cheaper model, caching, batching and trimming prompts. Each
// saving is a share of the observed spend of what it targets, so it can never exceed it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "agents/detail/optimization_rules.hpp"
#include "agents/markdown_format.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents::detail {
using analytics::find_model;
using analytics::list_cost_usd;
using analytics::ModelInfo;
namespace {

using analytics::GroupSummary;

std::vector<const WorkloadModelUsage*> pairs_of(const DataSnapshot& data,
                                                const std::string& workload) {
  std::vector<const WorkloadModelUsage*> out;
  for (const auto& u : data.workload_models) {
    if (u.workload_id == workload) out.push_back(&u);
  }
  return out;
}

// The model most of a workload's calls go to, if the catalog knows it.
const ModelInfo* main_model(const DataSnapshot& data, const std::string& workload) {
  const WorkloadModelUsage* top = nullptr;
  for (const auto* u : pairs_of(data, workload)) {
    if (top == nullptr || u->requests > top->requests) top = u;
  }
  return top == nullptr ? nullptr : find_model(top->model);
}

double per_request(double total, double requests) {
  return requests > 0 ? total / requests : 0;
}

// Every rule here finds a saving on one workload; what it found starts the same way.
Recommendation workload_saving(RecommendationKind kind, const std::string& workload,
                               double monthly_saving_usd) {
  Recommendation r;
  r.kind = kind;
  r.target_kind = TargetKind::workload;
  r.target = workload;
  r.monthly_saving_usd = monthly_saving_usd;
  return r;
}

}  // namespace

std::vector<Recommendation> model_switch(const RuleInput& in) {
  std::vector<Recommendation> out;
  for (const auto& u : in.data.workload_models) {
    const auto* current = find_model(u.model);
    if (current == nullptr || current->cheaper.empty() || u.requests < in.rules.min_requests)
      continue;
    const auto* cheaper = find_model(current->cheaper);
    const double avg_in = per_request(u.input_tokens, u.requests);
    const double avg_out = per_request(u.output_tokens, u.requests);
    if (avg_in > in.rules.short_input_tokens || avg_out > in.rules.short_output_tokens) continue;
    const double list_now = list_cost_usd(*current, u.input_tokens, u.output_tokens);
    if (list_now <= 0) continue;
    // The list-price ratio applied to what the calls really cost (which may carry discounts).
    const double reduction =
        1 - list_cost_usd(*cheaper, u.input_tokens, u.output_tokens) / list_now;
    const double saving = u.cost_usd * reduction * in.monthly_factor;
    if (saving < in.rules.min_monthly_saving_usd) continue;

    auto r = workload_saving(RecommendationKind::model_switch, u.workload_id, saving);
    r.current_model = std::string(current->name);
    r.suggested_model = std::string(cheaper->name);
    r.title = fmt::format("Move {} from {} to {}", markdown::code(u.workload_id), current->name,
                          cheaper->name);
    r.rationale = fmt::format(
        "Its calls are short (on average {} tokens in, {} out): work a smaller model of the same "
        "vendor handles well, at {:.0f}% of the list price. Compare answers on a sample of real "
        "prompts before switching all traffic.",
        markdown::count(avg_in), markdown::count(avg_out), (1 - reduction) * 100);
    r.evidence = {{"requests", u.requests, "requests"},
                  {"avg_input_tokens", avg_in, "tokens"},
                  {"avg_output_tokens", avg_out, "tokens"},
                  {"window_cost", u.cost_usd, "usd"},
                  {"current_input_price", current->input_usd_per_mtok, "usd_per_mtok"},
                  {"current_output_price", current->output_usd_per_mtok, "usd_per_mtok"},
                  {"suggested_input_price", cheaper->input_usd_per_mtok, "usd_per_mtok"},
                  {"suggested_output_price", cheaper->output_usd_per_mtok, "usd_per_mtok"},
                  {"price_reduction", reduction, "share"}};
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Recommendation> caching(const RuleInput& in) {
  struct Repeats {
    double prompts = 0;
    double calls = 0;
    double cached = 0;
    double avoidable = 0;
    double avoidable_cost = 0;
  };
  std::map<std::string, Repeats> by_workload;
  for (const auto& p : in.data.repeated_prompts) {
    auto& w = by_workload[p.workload_id];
    // Every call after the first could have come from a cache; those that did are not savings.
    const double avoidable = std::max<double>(0, static_cast<double>(p.requests - 1 - p.cached));
    w.prompts += 1;
    w.calls += static_cast<double>(p.requests);
    w.cached += static_cast<double>(p.cached);
    w.avoidable += avoidable;
    w.avoidable_cost += per_request(p.cost_usd, static_cast<double>(p.requests)) * avoidable;
  }
  std::vector<Recommendation> out;
  for (const auto& g : in.data.by_workload) {
    auto found = by_workload.find(g.key);
    if (found == by_workload.end() || g.requests <= 0) continue;
    const auto& w = found->second;
    const double share = w.avoidable / static_cast<double>(g.requests);
    const double saving = w.avoidable_cost * in.monthly_factor;
    if (w.avoidable < in.rules.min_avoidable_repeats || share < in.rules.min_repeat_share ||
        saving < in.rules.min_monthly_saving_usd)
      continue;
    auto r = workload_saving(RecommendationKind::caching, g.key, saving);
    r.title = fmt::format("Cache the answers of {} by prompt hash", markdown::code(g.key));
    r.rationale = fmt::format(
        "{} prompts were sent again and again ({} calls); {} of those calls ({:.1f}% of the "
        "workload) asked what had already been answered and were not served from a cache.",
        markdown::count(w.prompts), markdown::count(w.calls), markdown::count(w.avoidable),
        share * 100);
    r.evidence = {{"repeated_prompts", w.prompts, "count"},
                  {"repeated_calls", w.calls, "requests"},
                  {"already_cached", w.cached, "requests"},
                  {"avoidable_calls", w.avoidable, "requests"},
                  {"avoidable_share", share, "share"},
                  {"avoidable_window_cost", w.avoidable_cost, "usd"}};
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Recommendation> batching(const RuleInput& in) {
  std::vector<Recommendation> out;
  for (const auto& g : in.data.by_workload) {
    if (g.requests <= 0 || in.observed_days <= 0) continue;
    const double requests = static_cast<double>(g.requests);
    const double per_day = requests / in.observed_days;
    const double avg_tokens = static_cast<double>(g.input_tokens + g.output_tokens) / requests;
    const auto* model = main_model(in.data, g.key);
    const bool has_batch_api =
        model != nullptr &&
        (model->vendor == "openai" || model->vendor == "anthropic" || model->vendor == "google");
    if (per_day < in.rules.batch_min_requests_per_day ||
        avg_tokens > in.rules.batch_max_tokens_per_request || !has_batch_api)
      continue;
    const double saving = g.cost_usd * in.rules.batch_discount * in.monthly_factor;
    if (saving < in.rules.min_monthly_saving_usd) continue;
    auto r = workload_saving(RecommendationKind::batching, g.key, saving);
    r.current_model = std::string(model->name);
    r.title = fmt::format("Send {} through {}'s batch API where answers can wait",
                          markdown::code(g.key), model->vendor);
    r.rationale = fmt::format(
        "{} small calls a day (on average {} tokens each): {}'s batch API answers within 24 hours "
        "at {:.0f}% of the price. The saving assumes all of the workload can wait; count only the "
        "part that can.",
        markdown::count(per_day), markdown::count(avg_tokens), model->vendor,
        (1 - in.rules.batch_discount) * 100);
    r.evidence = {{"requests", requests, "requests"},
                  {"requests_per_day", per_day, "requests"},
                  {"avg_tokens_per_request", avg_tokens, "tokens"},
                  {"window_cost", g.cost_usd, "usd"},
                  {"batch_discount", in.rules.batch_discount, "share"}};
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Recommendation> prompt_trimming(const RuleInput& in) {
  std::vector<Recommendation> out;
  for (const auto& g : in.data.by_workload) {
    if (static_cast<double>(g.requests) < in.rules.min_requests) continue;
    const double requests = static_cast<double>(g.requests);
    const double avg_in = static_cast<double>(g.input_tokens) / requests;
    const double ratio = static_cast<double>(g.input_tokens) /
                         std::max<double>(1, static_cast<double>(g.output_tokens));
    if (avg_in < in.rules.trim_min_input_tokens || ratio < in.rules.trim_min_input_output_ratio)
      continue;
    // The input's share of the spend: at list prices where every model is known, by tokens
    // otherwise.
    double input_cost = 0;
    double all_cost = 0;
    bool priced = true;
    for (const auto* u : pairs_of(in.data, g.key)) {
      const auto* m = find_model(u->model);
      if (m == nullptr) {
        priced = false;
        break;
      }
      input_cost += list_cost_usd(*m, u->input_tokens, 0);
      all_cost += list_cost_usd(*m, u->input_tokens, u->output_tokens);
    }
    const double input_share =
        priced && all_cost > 0
            ? input_cost / all_cost
            : static_cast<double>(g.input_tokens) /
                  static_cast<double>(std::max<int64_t>(1, g.input_tokens + g.output_tokens));
    const double saving = g.cost_usd * input_share * in.rules.trim_share * in.monthly_factor;
    if (saving < in.rules.min_monthly_saving_usd) continue;
    auto r = workload_saving(RecommendationKind::prompt_trimming, g.key, saving);
    r.title = fmt::format("Trim the prompts of {}", markdown::code(g.key));
    r.rationale = fmt::format(
        "Each call sends {} tokens to get {} back ({:.0f}× as many): long instructions, whole "
        "histories or too many retrieved passages. The saving assumes {:.0f}% of the input can go.",
        markdown::count(avg_in), markdown::count(static_cast<double>(g.output_tokens) / requests),
        ratio, in.rules.trim_share * 100);
    r.evidence = {
        {"requests", requests, "requests"},
        {"avg_input_tokens", avg_in, "tokens"},
        {"avg_output_tokens", static_cast<double>(g.output_tokens) / requests, "tokens"},
        {"input_output_ratio", ratio, ""},
        {"input_cost_share", input_share, "share"},
        {"window_cost", g.cost_usd, "usd"},
        {"target_input_tokens", std::round(avg_in * (1 - in.rules.trim_share)), "tokens"}};
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace netra::agents::detail
