#include "agents/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "agents/markdown_format.hpp"
#include "agents/target_verdict.hpp"
#include "agents/what_if.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
namespace {

namespace md = markdown;
using analytics::GroupSummary;

std::string title(Intent intent) {
  switch (intent) {
    case Intent::cost:
      return "How to cut your LLM spend";
    case Intent::latency:
      return "Latency of your LLM calls";
    case Intent::reliability:
      return "Reliability of your LLM calls";
    case Intent::usage_report:
      return "Usage report";
    case Intent::model_choice:
      return "Model choice";
    case Intent::general_question:
      return "Your LLM workloads";
  }
  return "Your LLM workloads";
}

std::string quoted(const std::string& request) {
  constexpr size_t kMaxQuoted = 300;
  std::string text = request.size() > kMaxQuoted ? request.substr(0, kMaxQuoted) + "…" : request;
  std::string out = "> ";
  for (char c : text) {
    if (c == '\n') {
      out += "\n> ";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out + "\n";
}

std::string source_name(const std::string& backend) {
  if (backend == "clickhouse") return "ClickHouse";
  if (backend == "embedded") return "the embedded analytics store (the service's own database)";
  if (backend == kMixedBackends) {
    return "ClickHouse, and the embedded analytics store for the queries ClickHouse did not "
           "answer in time";
  }
  return backend;
}

// The groups that cost the most first, at most kMaxTableRows.
std::vector<const GroupSummary*> costliest(const std::vector<GroupSummary>& groups) {
  std::vector<const GroupSummary*> out;
  for (const auto& g : groups) out.push_back(&g);
  std::stable_sort(out.begin(), out.end(), [](const GroupSummary* a, const GroupSummary* b) {
    return a->cost_usd > b->cost_usd;
  });
  if (out.size() > kMaxTableRows) out.resize(kMaxTableRows);
  return out;
}

void rest_line(std::string& out, const std::vector<GroupSummary>& groups, const char* what) {
  if (groups.size() <= kMaxTableRows) return;
  double cost = 0;
  int64_t requests = 0;
  for (const auto* g : costliest(groups)) {
    cost -= g->cost_usd;
    requests -= g->requests;
  }
  for (const auto& g : groups) {
    cost += g.cost_usd;
    requests += g.requests;
  }
  out += fmt::format("\n…and {} more {} with {} calls and {}.\n", groups.size() - kMaxTableRows,
                     what, md::count(static_cast<double>(requests)), md::money(cost));
}

const GroupSummary* group_named(const std::vector<GroupSummary>& groups, const std::string& key) {
  for (const auto& g : groups) {
    if (g.key == key) return &g;
  }
  return nullptr;
}

// A model the request names, as the data spells it (a dated version counts).
const GroupSummary* model_named(const DataSnapshot& data, const std::string& canonical) {
  const GroupSummary* best = nullptr;
  for (const auto& g : data.by_model) {
    const auto* known = analytics::find_model(g.key);
    if (known == nullptr || known->name != canonical) continue;
    if (best == nullptr || g.requests > best->requests) best = &g;
  }
  return best;
}

double total_cost(const DataSnapshot& data) {
  double cost = 0;
  for (const auto& g : data.by_workload) cost += g.cost_usd;
  return cost;
}

// The models one workload's calls go to, most calls first.
std::vector<const WorkloadModelUsage*> models_of(const DataSnapshot& data,
                                                 const std::string& workload) {
  std::vector<const WorkloadModelUsage*> out;
  for (const auto& u : data.workload_models) {
    if (u.workload_id == workload) out.push_back(&u);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto* a, const auto* b) { return a->requests > b->requests; });
  return out;
}

// The first sentence about the one workload or model the request names, by what it asks.
std::string subject_headline(const ReportInput& in, const GroupSummary& g, bool workload) {
  const auto name = md::code(g.key);
  const auto p50 = md::count(static_cast<double>(g.latency_p50_ms));
  const auto p99 = md::count(static_cast<double>(g.latency_p99_ms));
  switch (in.triage.intent) {
    case Intent::latency: {
      std::string out = fmt::format(
          "{}: half of its calls finish within {} ms, 1% take {} ms or more ({}× the median).",
          name, p50, p99,
          md::plain(static_cast<double>(g.latency_p99_ms) /
                        static_cast<double>(std::max<int64_t>(1, g.latency_p50_ms)),
                    1));
      if (!workload) return out;
      std::vector<std::string> parts;
      for (const auto* u : models_of(in.data, g.key)) {
        const auto* m = group_named(in.data.by_model, u->model);
        if (m == nullptr || parts.size() == 3) continue;
        parts.push_back(fmt::format("{} ({} of its calls, p99 {} ms across your workloads)",
                                    md::code(u->model), md::percent(u->requests / g.requests),
                                    md::count(static_cast<double>(m->latency_p99_ms))));
      }
      if (!parts.empty()) out += fmt::format(" Its calls go to {}.", fmt::join(parts, ", "));
      return out;
    }
    case Intent::reliability:
      return fmt::format("{}: {} of {} calls failed ({}).", name,
                         md::count(static_cast<double>(g.errors)),
                         md::count(static_cast<double>(g.requests)), md::percent(g.error_rate));
    default: {
      const double all = total_cost(in.data);
      std::string out = fmt::format(
          "{} cost {} over {} calls in this period ({} of the spend), about {} a month; p99 {} "
          "ms, {} of its calls failed.",
          name, md::money(g.cost_usd), md::count(static_cast<double>(g.requests)),
          md::percent(all > 0 ? g.cost_usd / all : 0),
          md::money(g.cost_usd * in.optimization.monthly_factor), p99, md::percent(g.error_rate));
      if (in.optimization.monthly_saving_usd > 0) {
        out += fmt::format(" The changes below could save about **{} a month**.",
                           md::money(in.optimization.monthly_saving_usd));
      }
      return out;
    }
  }
}

// The group the request is about first: its first named workload, else its first named model,
// when the data has calls for it.
std::optional<std::pair<const GroupSummary*, bool>> subject_of(const ReportInput& in) {
  for (const auto& w : in.triage.workloads) {
    if (const auto* g = group_named(in.data.by_workload, w)) return std::pair{g, true};
  }
  for (const auto& m : in.triage.models) {
    if (const auto* g = model_named(in.data, m)) return std::pair{g, false};
  }
  return std::nullopt;
}

std::string switch_subject(const WhatIf& w) {
  if (!w.workloads.empty()) {
    std::vector<std::string> names;
    for (const auto& n : w.workloads) names.push_back(md::code(n));
    return fmt::format("{}", fmt::join(names, " and "));
  }
  if (!w.from_models.empty()) {
    std::vector<std::string> names;
    for (const auto& n : w.from_models) names.push_back(md::code(n));
    return fmt::format("the calls on {}", fmt::join(names, " and "));
  }
  return "all your calls";
}

// The answer to a what-if, in one or two sentences.
std::string what_if_headline(const WhatIf& w, const ReportInput& in) {
  if (w.kind == RecommendationKind::model_switch) {
    const auto subject = switch_subject(w);
    if (!w.nothing.empty()) {
      return fmt::format("Switching {} to {}: {}.", subject, md::code(w.target_model), w.nothing);
    }
    const double before = w.monthly_cost_usd();
    const double after = w.monthly_cost_after_usd();
    std::string out = fmt::format(
        "Switching {} to {} would cost about **{} a month** instead of {} at list prices: {} "
        "({}) {}.",
        subject, md::code(w.target_model), md::money(after), md::money(before),
        md::money(std::abs(before - after)),
        md::percent(before > 0 ? std::abs(before - after) / before : 0),
        after <= before ? "less" : "more");
    // What the user's own calls say about the model asked about, against the one it replaces.
    const SwitchLine* main = nullptr;
    for (const auto& l : w.lines) {
      if (main == nullptr || l.monthly_cost_usd > main->monthly_cost_usd) main = &l;
    }
    const auto* now = main ? group_named(in.data.by_model, main->model) : nullptr;
    if (const auto* seen = model_named(in.data, w.target_model)) {
      out += fmt::format(" In your data {} answered {} calls with p99 {} ms and {} errors",
                         md::code(seen->key), md::count(static_cast<double>(seen->requests)),
                         md::count(static_cast<double>(seen->latency_p99_ms)),
                         md::percent(seen->error_rate));
      if (now != nullptr) {
        out += fmt::format(", against p99 {} ms and {} errors for {}",
                           md::count(static_cast<double>(now->latency_p99_ms)),
                           md::percent(now->error_rate), md::code(now->key));
      }
      out += ".";
    } else {
      out += fmt::format(
          " Your data has no calls to {}, so its latency and failures here are unknown: try it "
          "on a sample of real prompts first.",
          md::code(w.target_model));
    }
    return out;
  }
  if (!w.nothing.empty()) {
    return fmt::format("{} for {} would save nothing: {}.",
                       w.kind == RecommendationKind::caching    ? "A cache"
                       : w.kind == RecommendationKind::batching ? "A batch API"
                                                                : "Trimming the prompts",
                       switch_subject(w), w.nothing);
  }
  std::vector<std::string> parts;
  for (const auto& r : w.estimates) {
    const auto* g = group_named(in.data.by_workload, r.target);
    const double spend = g ? g->cost_usd * in.optimization.monthly_factor : 0;
    parts.push_back(fmt::format("{}: about **{} a month** ({} of its spend)", r.title,
                                md::money(r.monthly_saving_usd),
                                md::percent(spend > 0 ? r.monthly_saving_usd / spend : 0)));
  }
  return fmt::format("{}.", fmt::join(parts, "; "));
}

void what_if_section(std::string& out, const WhatIf& w, const ReportInput& in) {
  if (!w.nothing.empty()) return;
  out += "\n## What if\n\n";
  if (w.kind != RecommendationKind::model_switch) {
    for (const auto& r : w.estimates) {
      out += r.rationale + "\n\n";
      std::vector<std::string> items;
      for (const auto& e : r.evidence) {
        items.push_back(md::evidence_name(e.name) + ": " + md::evidence_value(e));
      }
      out += "Evidence: " + fmt::format("{}", fmt::join(items, " · ")) + "\n\n";
    }
    out +=
        "This estimate applies the rule without its thresholds: it is listed as a "
        "recommendation only where it crosses them.\n";
    return;
  }
  out +=
      fmt::format("| workload | model now | calls | a month now | a month on {} | difference |\n",
                  md::cell(w.target_model));
  out += "|---|---|---:|---:|---:|---:|\n";
  for (const auto& l : w.lines) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", md::code(l.workload), md::code(l.model),
                       md::count(l.requests), md::money(l.monthly_cost_usd),
                       md::money(l.monthly_cost_after_usd),
                       (l.monthly_cost_after_usd <= l.monthly_cost_usd ? "−" : "+") +
                           md::money(std::abs(l.monthly_cost_usd - l.monthly_cost_after_usd)));
  }
  out += "\n| model | calls | p50 | p99 | errors |\n|---|---:|---:|---:|---:|\n";
  std::vector<const GroupSummary*> shown;
  auto show = [&](const GroupSummary* g) {
    if (g == nullptr || std::find(shown.begin(), shown.end(), g) != shown.end()) return;
    shown.push_back(g);
    out +=
        fmt::format("| {} | {} | {} ms | {} ms | {} |\n", md::code(g->key),
                    md::count(static_cast<double>(g->requests)),
                    md::count(static_cast<double>(g->latency_p50_ms)),
                    md::count(static_cast<double>(g->latency_p99_ms)), md::percent(g->error_rate));
  };
  for (const auto& l : w.lines) show(group_named(in.data.by_model, l.model));
  show(model_named(in.data, w.target_model));
  out +=
      "\nCosts apply the list-price ratio of the two models to what the calls really cost; "
      "latency and errors are your own calls', across all workloads. A smaller model may "
      "answer worse: compare answers on a sample before moving all traffic.\n";
}

// What changed since the thread's previous report: spend per model, and the saving found.
void since_previous(std::string& out, const ReportInput& in) {
  const auto& before = *in.previous;
  out += "\n## Since the previous report\n\n";
  const bool same_period = before.window.range.from_ms == in.data.range.from_ms &&
                           before.window.range.to_ms == in.data.range.to_ms;
  out += same_period ? fmt::format("The same period ({}); the data may have grown since.\n\n",
                                   before.window.label)
                     : fmt::format("The previous report covered {}; this one covers {}.\n\n",
                                   before.window.label, in.triage.window.label);
  // A month at each period's rate: a week and a month compare.
  out += "| model | a month then | a month now | change |\n|---|---:|---:|---:|\n";
  std::map<std::string, std::pair<double, double>> rows;
  for (const auto& [model, cost] : before.spend_by_model) {
    rows[model].first = cost * before.monthly_factor;
  }
  for (const auto& g : in.data.by_model) {
    rows[g.key].second = g.cost_usd * in.optimization.monthly_factor;
  }
  std::vector<std::pair<std::string, std::pair<double, double>>> ordered(rows.begin(), rows.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return std::max(a.second.first, a.second.second) > std::max(b.second.first, b.second.second);
  });
  if (ordered.size() > kMaxTableRows) ordered.resize(kMaxTableRows);
  for (const auto& [model, costs] : ordered) {
    const double change = costs.second - costs.first;
    out +=
        fmt::format("| {} | {} | {} | {}{} |\n", md::code(model), md::money(costs.first),
                    md::money(costs.second), change < 0 ? "−" : "+", md::money(std::abs(change)));
  }
  out += fmt::format(
      "\nSpend about {} a month then, {} now; the saving found, {} a month then, {} now.\n",
      md::money(before.monthly_spend_usd), md::money(in.optimization.monthly_spend_usd),
      md::money(before.monthly_saving_usd), md::money(in.optimization.monthly_saving_usd));
}

}  // namespace

std::string summary_headline(const ReportInput& in) {
  if (in.what_if) return what_if_headline(*in.what_if, in);
  // A request that names a workload or a model is answered about it first.
  if (const auto subject = subject_of(in); subject && in.triage.intent != Intent::model_choice) {
    return subject_headline(in, *subject->first, subject->second);
  }
  const auto& opt = in.optimization;
  const auto& data = in.data;
  const auto count_kind = [&](RecommendationKind kind) {
    return std::count_if(opt.recommendations.begin(), opt.recommendations.end(),
                         [&](const Recommendation& r) { return r.kind == kind; });
  };
  switch (in.triage.intent) {
    case Intent::latency: {
      const GroupSummary* slowest = nullptr;
      for (const auto& g : data.by_model) {
        if (slowest == nullptr || g.latency_p99_ms > slowest->latency_p99_ms) slowest = &g;
      }
      if (slowest == nullptr) break;
      return fmt::format(
          "The slowest model is {}: half of its calls finish within {} ms, 1% take {} ms or more. "
          "{} latency recommendation(s) below.",
          md::code(slowest->key), md::count(static_cast<double>(slowest->latency_p50_ms)),
          md::count(static_cast<double>(slowest->latency_p99_ms)),
          count_kind(RecommendationKind::latency));
    }
    case Intent::reliability: {
      int64_t requests = 0;
      int64_t errors = 0;
      for (const auto& g : data.by_model) {
        requests += g.requests;
        errors += g.errors;
      }
      if (requests == 0) break;
      return fmt::format("{} of {} calls failed ({}). {}", md::count(static_cast<double>(errors)),
                         md::count(static_cast<double>(requests)),
                         md::percent(static_cast<double>(errors) / static_cast<double>(requests)),
                         count_kind(RecommendationKind::retries_and_fallback) > 0
                             ? "The errors come in bursts: retries and a fallback below."
                             : "The errors do not come in bursts that retries would ride out.");
    }
    case Intent::usage_report: {
      const auto top_models = costliest(data.by_model);
      const auto top_workloads = costliest(data.by_workload);
      if (top_models.empty() || top_workloads.empty()) break;
      return fmt::format("Most of the spend goes to {} ({}) and to the workload {} ({}).",
                         md::code(top_models[0]->key), md::money(top_models[0]->cost_usd),
                         md::code(top_workloads[0]->key), md::money(top_workloads[0]->cost_usd));
    }
    default:
      break;
  }
  if (opt.monthly_saving_usd > 0) {
    return fmt::format(
        "The changes below could save about **{} a month** ({} of the spend).",
        md::money(opt.monthly_saving_usd),
        md::percent(opt.monthly_spend_usd > 0 ? opt.monthly_saving_usd / opt.monthly_spend_usd
                                              : 0));
  }
  return "No change found that would save money at the thresholds this analysis uses.";
}

namespace {

// Whether the saving asked for is reached, by how much, and what else would reach it.
void target_lines(std::string& out, const ReportInput& in) {
  if (!in.target) return;
  const auto& v = *in.target;
  const auto share = [&](double usd) {
    return md::percent(v.monthly_spend_usd > 0 ? usd / v.monthly_spend_usd : 0);
  };
  if (v.met) {
    out += fmt::format(
        "- Target “{}”: **met** — the changes below save {} a month ({} of {}), where {} was "
        "needed.\n",
        md::cell(v.asked), md::money(v.planned_usd), share(v.planned_usd),
        md::money(v.monthly_spend_usd), md::money(v.needed_usd));
    return;
  }
  out += fmt::format(
      "- Target “{}”: **not met** — the changes below save {} a month ({} of {}); {} ({}) was "
      "needed, {} more.\n",
      md::cell(v.asked), md::money(v.planned_usd), share(v.planned_usd),
      md::money(v.monthly_spend_usd), md::money(v.needed_usd), share(v.needed_usd),
      md::money(v.needed_usd - v.planned_usd));
  const size_t left_out = in.optimization.excluded.size();
  if (v.unconstrained_usd > v.planned_usd + 0.005) {
    out += fmt::format(
        "- With the {} change(s) left out for your constraints the saving would be {} ({}){}.\n",
        left_out, md::money(v.unconstrained_usd), share(v.unconstrained_usd),
        v.unconstrained_usd + 0.005 >= v.needed_usd ? ", which reaches the target"
                                                    : ": still short of the target");
  }
  if (v.further) {
    const auto& f = *v.further;
    const bool reaches = v.with_further_usd + 0.005 >= v.needed_usd;
    out += fmt::format(
        "- The largest saving left within your constraints: moving {} from {} to {}, about "
        "{} a month at list prices; with the changes below that makes {} ({}){}. Its calls "
        "average {} input tokens — longer than the short calls a smaller model is sure to "
        "handle — so compare answers on a sample first.\n",
        md::code(f.workload), md::code(f.current_model), md::code(f.cheaper_model),
        md::money(f.monthly_saving_usd), md::money(v.with_further_usd), share(v.with_further_usd),
        reaches ? ", which reaches the target" : ", still short of the target",
        md::count(f.avg_input_tokens));
  } else if (v.unconstrained_usd + 0.005 < v.needed_usd) {
    out += "- Nothing else in this data would close the gap within your constraints.\n";
  }
}

// The constraints the request set, and how many recommendations they left out.
void constraint_line(std::string& out, const ReportInput& in) {
  const auto& goals = in.triage.goals;
  if (!goals.has_constraints()) return;
  std::vector<std::string> read;
  if (goals.keep_latency) read.emplace_back("no slower answers");
  if (goals.latency_limit) {
    read.push_back(fmt::format("p{} at most {} ms", goals.latency_limit->percentile,
                               md::count(goals.latency_limit->max_ms)));
  }
  if (goals.keep_quality) read.emplace_back("no worse answers");
  if (!goals.only_vendors.empty()) {
    read.push_back(fmt::format("only {}", fmt::join(goals.only_vendors, " or ")));
  }
  for (const auto& w : goals.protected_workloads) read.push_back(md::code(w) + " left alone");
  const size_t n = in.optimization.excluded.size();
  out +=
      fmt::format("- Constraints: {}. {}\n", fmt::join(read, "; "),
                  n == 0 ? "No recommendation breaks them."
                         : fmt::format("{} recommendation(s) left out for them (see below).", n));
}

constexpr std::string_view kSummaryHeading = "## Summary\n\n";

// The report's title and the request it answers.
std::string opening(const ReportInput& in) {
  return "# " + title(in.triage.intent) + "\n\n" + quoted(in.user_request) + "\n";
}

void summary(std::string& out, const ReportInput& in) {
  const auto& opt = in.optimization;
  out += kSummaryHeading;
  if (in.phrased != nullptr) {
    out += in.phrased->text + "\n\n";
    out += "_Summary phrased by " + md::code(in.phrased->model) +
           " from the figures below; the tables are computed._\n";
    // The target, constraints and notes say what the figures leave out: word for word.
    if (!in.triage.window.note.empty() || !in.data.notes.empty() || in.triage.goals.has_target() ||
        in.triage.goals.has_constraints()) {
      out += "\n";
    }
  } else {
    int64_t requests = 0;
    for (const auto& g : in.data.by_model) requests += g.requests;
    out += "- " + summary_headline(in) + "\n";
    out +=
        fmt::format("- Spend: {} over {} calls in this period — about {} a month at this rate.\n",
                    md::money(opt.window_cost_usd), md::count(static_cast<double>(requests)),
                    md::money(opt.monthly_spend_usd));
    out += fmt::format("- {} recommendation(s), {} action(s).\n", opt.recommendations.size(),
                       in.actions.size());
  }
  if (!in.carried.empty()) {
    out += fmt::format("- A follow-up: from the previous report in this thread, {}.\n",
                       fmt::join(in.carried, ", "));
  }
  target_lines(out, in);
  constraint_line(out, in);
  if (!in.triage.window.note.empty()) out += "- Note: " + in.triage.window.note + ".\n";
  for (const auto& note : in.data.notes) out += "- Note: " + note + ".\n";
}

// The workload the request names, first: the models its calls go to.
void subject_findings(std::string& out, const ReportInput& in) {
  const auto subject = subject_of(in);
  if (!subject || !subject->second) return;
  const auto& g = *subject->first;
  out += fmt::format("### {}\n\n", md::code(g.key));
  out += "| model | calls | cost | model's p50 | model's p99 | model's errors |\n";
  out += "|---|---:|---:|---:|---:|---:|\n";
  for (const auto* u : models_of(in.data, g.key)) {
    const auto* m = group_named(in.data.by_model, u->model);
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {} |\n", md::code(u->model), md::count(u->requests),
        md::money(u->cost_usd),
        m ? md::count(static_cast<double>(m->latency_p50_ms)) + " ms" : std::string("—"),
        m ? md::count(static_cast<double>(m->latency_p99_ms)) + " ms" : std::string("—"),
        m ? md::percent(m->error_rate) : std::string("—"));
  }
  out += "\nThe models' figures are across all your workloads.\n\n";
}

void findings(std::string& out, const ReportInput& in) {
  const auto& data = in.data;
  out += "\n## Findings\n\n";
  subject_findings(out, in);
  out += "### By model\n\n";
  out += "| model | calls | cost | p50 | p95 | p99 | errors | cached |\n";
  out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto* g : costliest(data.by_model)) {
    out += fmt::format("| {} | {} | {} | {} ms | {} ms | {} ms | {} | {} |\n", md::code(g->key),
                       md::count(static_cast<double>(g->requests)), md::money(g->cost_usd),
                       md::count(static_cast<double>(g->latency_p50_ms)),
                       md::count(static_cast<double>(g->latency_p95_ms)),
                       md::count(static_cast<double>(g->latency_p99_ms)),
                       md::percent(g->error_rate), md::percent(g->cache_rate));
  }
  rest_line(out, data.by_model, "models");
  out += "\n### By workload\n\n";
  out += "| workload | calls | input tokens | output tokens | cost | errors |\n";
  out += "|---|---:|---:|---:|---:|---:|\n";
  for (const auto* g : costliest(data.by_workload)) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", md::code(g->key),
                       md::count(static_cast<double>(g->requests)),
                       md::count(static_cast<double>(g->input_tokens)),
                       md::count(static_cast<double>(g->output_tokens)), md::money(g->cost_usd),
                       md::percent(g->error_rate));
  }
  rest_line(out, data.by_workload, "workloads");
}

// The evidence a merged recommendation's table shows for each target, by kind.
std::vector<std::string_view> table_evidence(RecommendationKind kind) {
  switch (kind) {
    case RecommendationKind::model_switch:
      return {"requests", "avg_input_tokens", "avg_output_tokens", "price_reduction"};
    case RecommendationKind::caching:
      return {"repeated_prompts", "avoidable_calls", "avoidable_share"};
    case RecommendationKind::batching:
      return {"requests_per_day", "avg_tokens_per_request"};
    case RecommendationKind::prompt_trimming:
      return {"avg_input_tokens", "target_input_tokens", "input_output_ratio"};
    case RecommendationKind::retries_and_fallback:
      return {"errors", "error_rate", "burst_error_share"};
    case RecommendationKind::latency:
      return {"latency_p50", "latency_p99", "p99_over_p50", "suggested_timeout"};
  }
  return {};
}

// One row per target of a merged recommendation: its name, the models, the evidence, the saving.
void covered_table(std::string& out, const Recommendation& group) {
  const auto names = table_evidence(group.kind);
  const bool models = std::any_of(group.covers.begin(), group.covers.end(),
                                  [](const auto& r) { return !r.suggested_model.empty(); });
  const bool saves = group.monthly_saving_usd > 0;
  std::string header = "| " + std::string(to_string(group.target_kind));
  std::string rule = "|---";
  if (models) {
    header +=
        group.kind == RecommendationKind::retries_and_fallback ? " | fallback" : " | from | to";
    rule += group.kind == RecommendationKind::retries_and_fallback ? "|---" : "|---|---";
  }
  for (auto name : names) {
    header += " | " + md::evidence_name(name);
    rule += "|---:";
  }
  if (saves) {
    header += " | a month";
    rule += "|---:";
  }
  out += header + " |\n" + rule + "|\n";
  for (const auto& r : group.covers) {
    std::string row = "| " + md::code(r.target);
    if (models) {
      if (group.kind != RecommendationKind::retries_and_fallback) {
        row += " | " + md::code(r.current_model);
      }
      row += " | " + (r.suggested_model.empty() ? std::string("—") : md::code(r.suggested_model));
    }
    for (auto name : names) {
      const auto found = std::find_if(r.evidence.begin(), r.evidence.end(),
                                      [&](const Evidence& e) { return e.name == name; });
      row += " | " + (found == r.evidence.end() ? std::string("—") : md::evidence_value(*found));
    }
    if (saves) row += " | " + md::money(r.monthly_saving_usd);
    out += row + " |\n";
  }
  out += "\n";
}

void recommendations(std::string& out, const OptimizationResult& opt) {
  out += "\n## Recommendations\n\n";
  if (opt.recommendations.empty()) {
    out += opt.excluded.empty()
               ? "None: nothing in this data crosses the thresholds of the rules (a cheaper model, "
                 "caching, batching, shorter prompts, retries, latency).\n"
               : "None within your constraints.\n";
  }
  for (const auto& r : opt.recommendations) {
    const std::string gain = r.monthly_saving_usd > 0
                                 ? "about " + md::money(r.monthly_saving_usd) + " a month"
                             : r.kind == RecommendationKind::latency ? "faster answers"
                                                                     : "fewer failed calls";
    out += fmt::format("### {}. {} — {}\n\n{}\n\n", r.id, r.title, gain, r.rationale);
    if (!r.covers.empty()) {
      covered_table(out, r);
      continue;
    }
    std::vector<std::string> items;
    for (const auto& e : r.evidence) {
      items.push_back(md::evidence_name(e.name) + ": " + md::evidence_value(e));
    }
    out += "Evidence: " + fmt::format("{}", fmt::join(items, " · ")) + "\n\n";
  }
  if (opt.excluded.empty()) return;
  out += "### Left out for your constraints\n\n";
  for (size_t i = 0; i < opt.excluded.size() && i < kMaxRecommendations; ++i) {
    const auto& e = opt.excluded[i];
    const auto& r = e.recommendation;
    const std::string gain =
        r.monthly_saving_usd > 0 ? " (about " + md::money(r.monthly_saving_usd) + " a month)" : "";
    out += fmt::format("- {}{}: {}.\n", r.title, gain, e.reason);
  }
  if (opt.excluded.size() > kMaxRecommendations) {
    out += fmt::format("- …and {} more.\n", opt.excluded.size() - kMaxRecommendations);
  }
  out += "\n";
}

void actions(std::string& out, const std::vector<Action>& actions) {
  if (actions.empty()) return;
  out += "## Actions\n\n| # | target | setting | from | to | how |\n|---|---|---|---|---|---|\n";
  for (const auto& a : actions) {
    out += fmt::format("| {} | {} {} | `{}` | {} | {} | {} |\n", a.recommendation_id,
                       to_string(a.target_kind), md::code(a.target), a.setting, md::cell(a.from),
                       md::cell(a.to), md::cell(a.note));
  }
  out += "\n";
}

void data_section(std::string& out, const ReportInput& in) {
  const auto& data = in.data;
  const auto& c = data.completeness;
  out += "## Data\n\n";
  out += "- Source: " + source_name(data.backend) + ".\n";
  out += fmt::format("- Period: {} — {} to {}.\n", in.triage.window.label,
                     md::utc_time(data.range.from_ms), md::utc_time(data.range.to_ms));
  out += fmt::format("- {} calls on {} of the {} days in the period.\n",
                     md::count(static_cast<double>(c.events)), c.days_covered, c.window_days);
  if (!c.fields.empty() && c.sampled_events > 0) {
    std::vector<std::string> fields;
    for (const auto& f : c.fields) fields.push_back(f.field + " " + md::percent(f.share));
    out += fmt::format("- Fields filled ({}): {}.\n",
                       data.sample_complete
                           ? "every call"
                           : fmt::format("a sample of the first {} calls",
                                         md::count(static_cast<double>(c.sampled_events))),
                       fmt::join(fields, ", "));
  }
  out += fmt::format("- Completeness: {} of 1.\n", md::plain(c.score));
  // Models the catalog does not price: named, never priced at zero.
  std::vector<std::string> unpriced;
  std::string first_checked;
  std::string last_checked;
  for (const auto& g : data.by_model) {
    const auto* known = analytics::find_model(g.key);
    if (known == nullptr) {
      unpriced.push_back(fmt::format("{} ({} calls, {} as reported)", md::code(g.key),
                                     md::count(static_cast<double>(g.requests)),
                                     md::money(g.cost_usd)));
      continue;
    }
    const std::string checked(known->checked);
    if (checked.empty()) continue;
    if (first_checked.empty() || checked < first_checked) first_checked = checked;
    if (last_checked.empty() || checked > last_checked) last_checked = checked;
  }
  if (!unpriced.empty()) {
    out += fmt::format(
        "- No list price in the catalog for {}: no change is priced for them (an administrator "
        "can add them: PUT /api/catalog/models/{{id}}).\n",
        fmt::join(unpriced, ", "));
  }
  if (in.optimization.analysed) {
    const std::string when =
        first_checked.empty() ? ""
        : first_checked == last_checked
            ? " (checked " + first_checked + ")"
            : " (checked between " + first_checked + " and " + last_checked + ")";
    out += fmt::format(
        "- Savings apply the catalog's list prices{} to what the calls actually cost, and scale "
        "the period to 30 days; where several touch one workload they combine, not add. GET "
        "/api/catalog/models lists the prices.\n",
        when);
  }
}

}  // namespace

std::string fit_report(std::string report, size_t max_bytes) {
  if (report.size() <= max_bytes) return report;
  static constexpr std::string_view kCut =
      "\n…the report was shortened to fit a message; the run's final event holds all of it.\n";
  const size_t room = max_bytes > kCut.size() ? max_bytes - kCut.size() : 0;
  const size_t line_end = report.rfind('\n', room);
  report.resize(line_end == std::string::npos ? 0 : line_end + 1);
  report += kCut.substr(1);
  return report;
}

std::string thread_title(const TriageResult& triage) {
  // The workloads or models named, as the request named them; else the LLM calls as a whole.
  std::string subject = "LLM";
  const auto& named = triage.workloads.empty() ? triage.models : triage.workloads;
  if (!named.empty()) {
    subject = named[0];
    if (named.size() == 2) subject += " and " + named[1];
    if (named.size() > 2) subject += " and " + std::to_string(named.size() - 1) + " more";
  }
  std::string what;
  switch (triage.intent) {
    case Intent::cost:
      what = "Cut " + subject + " costs";
      break;
    case Intent::latency:
      what = "Speed up " + subject + " calls";
      break;
    case Intent::reliability:
      what = "Fix " + subject + " errors";
      break;
    case Intent::usage_report:
      what = subject + " usage report";
      break;
    case Intent::model_choice:
      what = "Choose a model for " + subject;
      break;
    case Intent::general_question:
      what = subject + " workloads";
      break;
  }
  std::string period = triage.window.label;
  if (const auto cut = period.find(" ("); cut != std::string::npos) period.resize(cut);
  std::string out = period.empty() ? what : what + " — " + period;
  // A name the request gave may be long: cut at a character, never inside one.
  constexpr size_t kMaxBytes = 180;
  if (out.size() > kMaxBytes) {
    size_t end = kMaxBytes;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    out.resize(end);
    out += "…";
  }
  return out;
}

std::vector<std::string> report_sections(std::string_view report) {
  std::vector<std::string> sections;
  size_t start = 0;
  for (size_t at = report.find("\n## "); at != std::string_view::npos;
       at = report.find("\n## ", at + 1)) {
    sections.emplace_back(report.substr(start, at + 1 - start));
    start = at + 1;
  }
  if (start < report.size()) sections.emplace_back(report.substr(start));
  return sections;
}

std::string render_off_topic(const std::string& user_request, const DataSnapshot& data) {
  std::string out = "# Outside what I can answer\n\n" + quoted(user_request) + "\n";
  out +=
      "## Summary\n\nI analyse your LLM workloads: the calls your applications send to language "
      "models — what they cost, how fast and how reliable they are, and what to change. This "
      "request is outside that, so there are no figures here.\n\n";
  const auto top = costliest(data.by_workload);
  const std::string workload = top.empty() ? "support-chat" : top[0]->key;
  out += "## Questions I can answer\n\n";
  out += "- How can I cut my LLM costs by 30% without hurting latency?\n";
  out += fmt::format("- Why is {} slow at p99?\n", md::code(workload));
  out += fmt::format("- Should I switch {} to gpt-4o-mini?\n", md::code(workload));
  out += "- Which models fail most often this week?\n";
  out += "- Give me a usage report for last month.\n";
  return out;
}

std::string phrased_summary_lead(const ReportInput& in) {
  return opening(in) + std::string(kSummaryHeading);
}

ReportInput with_findings(ReportInput in) {
  in.target = judge_target({in.triage.workloads, in.triage.models, in.triage.goals},
                           in.optimization, in.data);
  in.what_if = read_what_if(in.triage, in.user_request, in.data, in.optimization.monthly_factor);
  return in;
}

std::string render_report(const ReportInput& in) {
  std::string out = opening(in);
  if (!in.data.completeness.sufficient) {
    out += std::string(kSummaryHeading) +
           "There is not enough data to answer this yet: " + in.data.completeness.reason +
           ". Rather than guess, this report shows no figures; send more calls and ask again.\n";
    for (const auto& note : in.data.notes) out += "\nNote: " + note + ".\n";
    out += "\n## What to send\n\n" + ingest_instructions() + "\n";
    data_section(out, in);
    return out;
  }
  summary(out, in);
  if (in.what_if) what_if_section(out, *in.what_if, in);
  if (in.previous != nullptr) since_previous(out, in);
  findings(out, in);
  recommendations(out, in.optimization);
  actions(out, in.actions);
  data_section(out, in);
  return out;
}

}  // namespace netra::agents
