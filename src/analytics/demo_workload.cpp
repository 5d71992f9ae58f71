#include "analytics/demo_workload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "analytics/model_catalog.hpp"

namespace netra::analytics {
namespace {

constexpr int64_t kDayMs = 86'400'000;

const ModelProfile& model_named(const std::string& name) {
  for (const auto& m : demo_models()) {
    if (m.model == name) return m;
  }
  throw std::logic_error("demo workload names an unknown model: " + name);
}

const ModelInfo& model_prices(const std::string& name) {
  const auto* known = find_model(name);
  if (known == nullptr) throw std::logic_error("the model catalog has no price for " + name);
  return *known;
}

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t clamp_round(double value, int64_t lo, int64_t hi) {
  return std::clamp(static_cast<int64_t>(std::llround(value)), lo, hi);
}

}  // namespace

const std::vector<WorkloadProfile>& workload_profiles() {
  // The demo's six first, in their original order: an event's prompt hash mixes in the index.
  static const std::vector<WorkloadProfile> profiles = {
      {"support-chat",
       "cx",
       0.30,
       {{"gpt-4o", 0.7}, {"claude-3-5-sonnet-20241022", 0.3}},
       1500,
       0.7,
       220,
       0.6,
       0.35,
       150,
       0.2,
       true},
      {"ticket-classifier", "cx", 0.20, {{"gpt-4o", 1.0}}, 320, 0.4, 8, 0.3, 0.10, 50, 0.0, true},
      {"doc-summarizer",
       "knowledge",
       0.12,
       {{"claude-3-5-sonnet-20241022", 0.8}, {"gemini-1.5-pro", 0.2}},
       9000,
       1.0,
       350,
       0.5,
       0.05,
       30,
       0.0,
       true},
      {"code-review",
       "platform",
       0.10,
       {{"gpt-4o", 0.5}, {"claude-3-5-sonnet-20241022", 0.5}},
       4000,
       0.8,
       700,
       0.7,
       0.02,
       10,
       0.0,
       true},
      {"search-rerank",
       "search",
       0.18,
       {{"gemini-1.5-flash", 0.8}, {"gpt-4o-mini", 0.2}},
       900,
       0.5,
       40,
       0.5,
       0.25,
       120,
       0.3,
       true},
      {"agent-planner",
       "platform",
       0.10,
       {{"gpt-4o-mini", 0.5}, {"mistral-large-latest", 0.3}, {"claude-3-5-haiku-20241022", 0.2}},
       2500,
       0.9,
       400,
       0.8,
       0.05,
       20,
       0.0,
       true},
      // For the presets: retrieval-augmented answers (large retrieved contexts, short answers)
      // and code completion (many small calls, popular snippets cached by the editor).
      {"kb-retrieval-qa",
       "knowledge",
       0.25,
       {{"gpt-4o", 0.4}, {"claude-3-5-sonnet-20241022", 0.4}, {"gemini-1.5-pro", 0.2}},
       14000,
       0.6,
       250,
       0.5,
       0.20,
       200,
       0.1,
       false},
      {"code-completion",
       "devex",
       0.45,
       {{"gpt-4o-mini", 0.6}, {"claude-3-5-haiku-20241022", 0.4}},
       2200,
       0.6,
       60,
       0.8,
       0.30,
       400,
       0.5,
       false},
  };
  return profiles;
}

const WorkloadProfile* find_workload_profile(std::string_view id) {
  for (const auto& p : workload_profiles()) {
    if (id == p.id) return &p;
  }
  return nullptr;
}

const std::vector<WorkloadTemplate>& workload_templates() {
  static const std::vector<WorkloadTemplate> templates = {
      {"demo",
       "The demo company",
       "Six workloads of a mid-sized company: support chat, ticket classification, document "
       "summaries, code review, search re-ranking and an agent planner — every recommendation "
       "has evidence somewhere.",
       {"support-chat", "ticket-classifier", "doc-summarizer", "code-review", "search-rerank",
        "agent-planner"},
       30,
       10000},
      {"customer-support-chatbot",
       "Customer-support chatbot",
       "A support assistant on a premium model with many repeated questions, and a classifier "
       "that sends one-word answers to the same expensive model.",
       {"support-chat", "ticket-classifier"},
       30,
       20000},
      {"enterprise-search",
       "Retrieval-heavy enterprise search",
       "Answers over retrieved documents: inputs far larger than outputs, re-ranking on a cheap "
       "model, long summaries.",
       {"kb-retrieval-qa", "search-rerank", "doc-summarizer"},
       30,
       20000},
      {"coding-assistant",
       "Agentic coding assistant",
       "Editor completions on small models, agent planning and code review on large ones.",
       {"code-completion", "agent-planner", "code-review"},
       14,
       50000},
  };
  return templates;
}

const WorkloadTemplate* find_workload_template(std::string_view id) {
  for (const auto& t : workload_templates()) {
    if (id == t.id) return &t;
  }
  return nullptr;
}

const std::vector<ModelProfile>& demo_models() {
  static const std::vector<ModelProfile> models = {
      {"openai", "gpt-4o", 450, 11, 128000},
      {"openai", "gpt-4o-mini", 350, 7, 128000},
      {"anthropic", "claude-3-5-sonnet-20241022", 700, 14, 200000},
      {"anthropic", "claude-3-5-haiku-20241022", 400, 8, 200000},
      {"google", "gemini-1.5-pro", 600, 10, 128000},
      {"google", "gemini-1.5-flash", 250, 4, 1000000},
      {"mistral", "mistral-large-latest", 500, 13, 128000},
  };
  return models;
}

DemoWorkload::DemoWorkload(DemoWorkloadOptions options)
    : options_(std::move(options)), state_(mix(options_.seed)) {
  if (options_.days < 1 || options_.days > 3650) {
    throw std::invalid_argument("--days must be 1 to 3650");
  }
  const auto& all = workload_profiles();
  for (size_t i = 0; i < all.size(); ++i) {
    if (options_.workloads.empty() && all[i].in_demo) profiles_.push_back(i);
  }
  for (const auto& id : options_.workloads) {
    const auto* found = find_workload_profile(id);
    if (found == nullptr) throw std::invalid_argument("unknown workload: " + id);
    const auto index = static_cast<size_t>(found - all.data());
    if (std::find(profiles_.begin(), profiles_.end(), index) != profiles_.end()) {
      throw std::invalid_argument("workload named twice: " + id);
    }
    profiles_.push_back(index);
  }
  // The demo's weights sum to 1 by construction: kept exact, so its events never change.
  if (options_.workloads.empty()) {
    total_weight_ = 1.0;
  } else {
    for (auto i : profiles_) total_weight_ += all[i].weight;
  }
  if (options_.event_id_prefix.size() + 20 > kMaxEventIdBytes) {
    throw std::invalid_argument("the event id prefix leaves no room for the event number");
  }
  if (options_.now_ms - options_.days * kDayMs < kMinTimestampMs ||
      options_.now_ms > kMaxTimestampMs) {
    throw std::invalid_argument("the demo's time range must lie between 2000 and 2100");
  }
  // About one burst a week, 20 to 120 minutes each, on one provider: rate limits or overload.
  const int bursts = std::max(1, options_.days / 6);
  const char* providers[] = {"openai", "anthropic", "google", "mistral"};
  for (int i = 0; i < bursts; ++i) {
    Burst b;
    b.from_ms = options_.now_ms - static_cast<int64_t>(uniform() * options_.days * kDayMs);
    b.to_ms = b.from_ms + static_cast<int64_t>((20 + uniform() * 100) * 60'000);
    b.provider = providers[next() % 4];
    b.error_type = uniform() < 0.6 ? "rate_limit" : "overloaded";
    bursts_.push_back(std::move(b));
  }
}

uint64_t DemoWorkload::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix(state_);
}

double DemoWorkload::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double DemoWorkload::normal() {
  // Box–Muller; 1 − u keeps the logarithm finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

double DemoWorkload::lognormal(double median, double sigma) {
  return median * std::exp(sigma * normal());
}

int64_t DemoWorkload::timestamp() {
  const int64_t span = options_.days * kDayMs;
  for (int tries = 0;; ++tries) {
    const int64_t at = options_.now_ms - 1 - static_cast<int64_t>(uniform() * (span - 1));
    const int64_t day = at / kDayMs;
    const int hour = static_cast<int>((at % kDayMs) / 3'600'000);
    const bool weekend = (day + 4) % 7 >= 5;  // 1970-01-01 was a Thursday
    double weight = hour >= 8 && hour < 19 ? 1.0 : 0.3;
    if (weekend) weight *= 0.4;
    if (tries >= 20 || uniform() < weight) return at;
  }
}

WorkloadEvent DemoWorkload::make_event() {
  // A stream of its own per event: what one event draws (a retried timestamp) never shifts the
  // next, so a seed makes the same calls whenever it runs; only where they fall follows now.
  state_ = mix(options_.seed ^ ((made_ + 1) * 0xd1342543de82ef95ULL));
  const auto& profiles = workload_profiles();
  double pick = uniform() * total_weight_;
  size_t chosen = 0;
  for (; chosen + 1 < profiles_.size(); ++chosen) {
    if (pick < profiles[profiles_[chosen]].weight) break;
    pick -= profiles[profiles_[chosen]].weight;
  }
  const size_t w = profiles_[chosen];
  const auto& workload = profiles[w];
  double share = uniform();
  const char* model_name = workload.models.back().model;
  for (const auto& m : workload.models) {
    if (share < m.share) {
      model_name = m.model;
      break;
    }
    share -= m.share;
  }
  const auto& model = model_named(model_name);

  WorkloadEvent e;
  e.event_id =
      options_.event_id_prefix.empty()
          ? fmt::format("evt_demo_{:016x}", mix(options_.seed ^ (made_ * 0x2545f4914f6cdd1dULL)))
          : fmt::format("{}{}", options_.event_id_prefix, made_);
  e.workload_id = workload.id;
  e.provider = model.provider;
  e.model = model.model;
  e.input_tokens =
      clamp_round(lognormal(workload.input_median, workload.input_sigma), 1, model.context_tokens);
  e.output_tokens = clamp_round(lognormal(workload.output_median, workload.output_sigma), 1, 16384);
  e.tags = {{"team", workload.team}, {"env", uniform() < 0.9 ? "prod" : "staging"}};

  const bool repeat = uniform() < workload.repeat_share;
  if (repeat) {
    // Skewed towards the first prompts: a few questions make most of the repeats.
    const auto index = static_cast<uint64_t>(workload.popular_prompts * std::pow(uniform(), 2.0));
    e.prompt_hash = fmt::format("{:016x}", mix(options_.seed ^ (uint64_t{w} << 40) ^ index));
  } else {
    e.prompt_hash = fmt::format("{:016x}", next());
  }

  // Drawn after what must not depend on it: finding a time takes a varying number of draws.
  e.timestamp_ms = timestamp();
  // Errors: a steady trickle, and bursts where one provider refuses much of what it gets.
  double error_rate = 0.015;
  std::string burst_error;
  for (const auto& b : bursts_) {
    if (b.provider == e.provider && e.timestamp_ms >= b.from_ms && e.timestamp_ms < b.to_ms) {
      error_rate = 0.4;
      burst_error = b.error_type;
    }
  }
  if (uniform() < error_rate) {
    e.status = EventStatus::error;
    const double kind = uniform();
    e.error_type = !burst_error.empty() ? burst_error
                   : kind < 0.5         ? "rate_limit"
                   : kind < 0.7         ? "timeout"
                                        : "server_error";
    e.output_tokens = 0;
    e.cost_usd = 0;  // refused calls are not billed
    e.latency_ms = e.error_type == "timeout"
                       ? clamp_round(30'000 + uniform() * 30'000, 1, kMaxLatencyMs)
                       : clamp_round(lognormal(150, 0.5), 1, kMaxLatencyMs);
    return e;
  }
  if (repeat && uniform() < workload.cache_share) {
    e.cached = true;  // answered from the caller's cache: no provider call, no cost
    e.latency_ms = clamp_round(lognormal(8, 0.5), 1, kMaxLatencyMs);
    return e;
  }
  const double generation = static_cast<double>(e.output_tokens) * model.ms_per_output_token;
  double latency = static_cast<double>(model.base_latency_ms) * std::exp(0.3 * normal()) +
                   generation * std::exp(0.2 * normal());
  if (uniform() < 0.015) latency *= 3 + uniform() * 5;  // the slow tail p99 shows
  e.latency_ms = clamp_round(latency, 1, kMaxLatencyMs);
  e.cost_usd = list_cost_usd(model_prices(model.model), static_cast<double>(e.input_tokens),
                             static_cast<double>(e.output_tokens));
  return e;
}

void DemoWorkload::skip(size_t count) {
  made_ += std::min(count, options_.events - made_);
}

std::vector<WorkloadEvent> DemoWorkload::next_batch(size_t max) {
  std::vector<WorkloadEvent> batch;
  const size_t count = std::min(max, options_.events - made_);
  batch.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    batch.push_back(make_event());
    ++made_;
  }
  return batch;
}

}  // namespace netra::analytics
