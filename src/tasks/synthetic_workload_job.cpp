#include "tasks/synthetic_workload_job.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "analytics/demo_workload.hpp"
#include "analytics/fallback_store.hpp"
#include "core/offload_pool.hpp"
#include "telemetry/logging.hpp"

namespace netra::tasks {

namespace asio = boost::asio;
using json = nlohmann::json;
using namespace std::chrono;

namespace {

// One chunk's write (10,000 events); a store slower than this fails the attempt, which retries.
constexpr seconds kChunkBudget{60};

json message(const char* type, json data) {
  return {{"type", type}, {"data", std::move(data)}};
}

// How the job's chunks are made: the generator of the request, numbered for this job.
analytics::DemoWorkloadOptions workload_options(const SyntheticRequest& request,
                                                const std::string& job_id) {
  analytics::DemoWorkloadOptions options;
  options.now_ms = request.now_ms;
  options.days = request.days;
  options.events = static_cast<size_t>(request.events);
  options.seed = request.seed;
  options.workloads = request.workloads;
  options.event_id_prefix = "evt_" + job_id + "_";
  return options;
}

struct Chunk {
  std::vector<analytics::WorkloadEvent> events;
  double cost_usd = 0;
};

// Makes the next chunk on the pool thread (10,000 events hold an event loop for too long). The
// generator is shared: a pool thread may outlive an abandoned await.
Chunk make_chunk(const std::shared_ptr<analytics::DemoWorkload>& generator, size_t count) {
  Chunk chunk;
  chunk.events = generator->next_batch(count);
  for (const auto& e : chunk.events) chunk.cost_usd += e.cost_usd;
  return chunk;
}

// Whether the chunk is already stored (a previous attempt wrote it and died before recording
// it): one of its events is looked up by its exact time and id.
asio::awaitable<analytics::AnalyticsResult<bool>> stored_already(
    analytics::FallbackAnalyticsStore& store, const std::string& user_id, const Chunk& chunk) {
  const auto& probe = chunk.events.front();
  const analytics::TimeRange at{probe.timestamp_ms, probe.timestamp_ms + 1};
  auto found = co_await store.events(user_id, at, analytics::kMaxReadLimit,
                                     core::Deadline::after(kChunkBudget));
  if (!found) co_return found.error();
  co_return std::any_of(found->begin(), found->end(),
                        [&](const auto& e) { return e.event_id == probe.event_id; });
}

}  // namespace

core::Result<SyntheticRequest, json> parse_synthetic_request(const json& body, int64_t now_ms,
                                                             uint64_t random_seed) {
  SyntheticRequest request;
  request.now_ms = now_ms;
  request.seed = random_seed;
  json fields = json::object();
  if (!body.is_object()) return json{{"body", "must be a JSON object"}};
  for (const auto& [key, value] : body.items()) {
    if (key != "template" && key != "workloads" && key != "days" && key != "events" &&
        key != "seed") {
      fields[key] = "unknown field; expected template, workloads, days, events or seed";
    }
  }
  const auto templ = body.find("template");
  const auto workloads = body.find("workloads");
  if (templ != body.end() && workloads != body.end()) {
    fields["workloads"] = "give a template or workloads, not both";
  } else if (workloads != body.end()) {
    if (!workloads->is_array() || workloads->empty() || workloads->size() > 16) {
      fields["workloads"] = "an array of 1 to 16 workload ids";
    } else {
      for (size_t i = 0; i < workloads->size(); ++i) {
        const auto& id = (*workloads)[i];
        const auto name = fmt::format("workloads[{}]", i);
        if (!id.is_string() || analytics::find_workload_profile(id.get<std::string>()) == nullptr) {
          fields[name] = "not a known workload (GET /api/generation/templates lists them)";
        } else if (std::find(request.workloads.begin(), request.workloads.end(),
                             id.get<std::string>()) != request.workloads.end()) {
          fields[name] = "named twice";
        } else {
          request.workloads.push_back(id.get<std::string>());
        }
      }
    }
  } else {
    const std::string id =
        templ == body.end() ? "demo" : (templ->is_string() ? templ->get<std::string>() : "");
    if (const auto* found = analytics::find_workload_template(id)) {
      request.template_id = found->id;
      request.workloads = found->workloads;
      request.days = found->suggested_days;
      request.events = static_cast<int64_t>(found->suggested_events);
    } else {
      fields["template"] = "not a known template (GET /api/generation/templates lists them)";
    }
  }
  if (const auto it = body.find("days"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 ||
        it->get<int64_t>() > SyntheticLimits::kMaxDays) {
      fields["days"] = fmt::format("an integer from 1 to {}", SyntheticLimits::kMaxDays);
    } else {
      request.days = static_cast<int>(it->get<int64_t>());
    }
  }
  if (const auto it = body.find("events"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 ||
        it->get<int64_t>() > SyntheticLimits::kMaxEvents) {
      fields["events"] = fmt::format("an integer from 1 to {}", SyntheticLimits::kMaxEvents);
    } else {
      request.events = it->get<int64_t>();
    }
  }
  if (const auto it = body.find("seed"); it != body.end()) {
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
      fields["seed"] = "an integer, 0 or more";
    } else {
      request.seed = it->get<uint64_t>();
    }
  }
  if (!fields.empty()) return fields;
  return request;
}

json synthetic_payload(const SyntheticRequest& request) {
  return {{"template", request.template_id},
          {"workloads", request.workloads},
          {"days", request.days},
          {"events", request.events},
          {"seed", request.seed},
          {"now_ms", request.now_ms}};
}

std::optional<SyntheticRequest> synthetic_request_from(const json& payload) {
  try {
    SyntheticRequest request;
    request.template_id = payload.at("template").get<std::string>();
    request.workloads = payload.at("workloads").get<std::vector<std::string>>();
    request.days = payload.at("days").get<int>();
    request.events = payload.at("events").get<int64_t>();
    request.seed = payload.at("seed").get<uint64_t>();
    request.now_ms = payload.at("now_ms").get<int64_t>();
    if (request.events < 1 || request.events > SyntheticLimits::kMaxEvents) return std::nullopt;
    if (request.days < 1 || request.days > SyntheticLimits::kMaxDays) return std::nullopt;
    return request;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

SyntheticWorkloadJob::SyntheticWorkloadJob(std::shared_ptr<analytics::FallbackAnalyticsStore> store,
                                           core::OffloadPool& offload, Notify notify,
                                           DataChanged changed)
    : store_(std::move(store)),
      offload_(offload),
      notify_(std::move(notify)),
      changed_(std::move(changed)) {}

asio::awaitable<JobOutcome> SyntheticWorkloadJob::run(JobContext& job) {
  const auto& current = job.job();
  const std::string user = current.user_id.value_or("");
  auto failed = [&](const std::string& code, const std::string& why) {
    if (!user.empty()) {
      notify_(user, message("generation_failed",
                            {{"job_id", current.id}, {"code", code}, {"message", why}}));
    }
  };
  const auto request = synthetic_request_from(current.payload);
  if (!request || user.empty()) {
    failed("invalid_request", "the job's payload is not a synthetic-data request for a user");
    co_return JobOutcome::failure("the payload is not a synthetic-data request for a user");
  }
  std::shared_ptr<analytics::DemoWorkload> generator;
  try {
    generator = std::make_shared<analytics::DemoWorkload>(workload_options(*request, current.id));
  } catch (const std::invalid_argument& e) {
    failed("invalid_request", e.what());
    co_return JobOutcome::failure(e.what());
  }
  const auto total = static_cast<size_t>(request->events);
  const size_t chunks = (total + kChunkEvents - 1) / kChunkEvents;
  // Progress is chunks done / chunks: the count a previous attempt recorded comes back exactly.
  const auto recorded = static_cast<size_t>(
      std::clamp<double>(std::llround(current.progress * static_cast<double>(chunks)), 0,
                         static_cast<double>(chunks)));
  const bool resumed = current.attempts > 1 || recorded > 0;
  size_t written = 0;
  double cost = 0;
  if (recorded > 0) {
    // What earlier attempts wrote is made again (not stored) for its cost: the total is exact.
    // Named, not a temporary in the co_await: GCC 12 destroys such a temporary's captures twice.
    auto remake = [generator, n = recorded * kChunkEvents] { return make_chunk(generator, n); };
    auto skipped = co_await offload_.run(std::move(remake));
    written = skipped.events.size();
    cost = skipped.cost_usd;
  }
  if (!resumed) {
    notify_(user, message("generation_started", {{"job_id", current.id},
                                                 {"template", request->template_id},
                                                 {"workloads", request->workloads},
                                                 {"days", request->days},
                                                 {"events", request->events}}));
  }
  auto log = telemetry::logger("background_tasks");
  const auto started = steady_clock::now();
  size_t written_here = 0;
  // The chunks from `recorded` on may be stored already (a progress that could not be recorded,
  // a crash before the record): looked up, in order, until one is missing — chunks are written
  // in order, so none after it is stored.
  bool probing = resumed;
  for (size_t k = recorded; k < chunks; ++k) {
    auto make = [generator] { return make_chunk(generator, SyntheticWorkloadJob::kChunkEvents); };
    auto chunk = co_await offload_.run(std::move(make));
    const size_t count = chunk.events.size();
    const double chunk_cost = chunk.cost_usd;
    bool stored = false;
    if (probing) {
      // The lookup must ask where the chunk went: with ClickHouse configured, only it knows.
      if (store_->clickhouse_configured() && store_->backend() != "clickhouse") {
        co_return JobOutcome::retry_later("ClickHouse is not serving; resuming when it does");
      }
      auto found = co_await stored_already(*store_, user, chunk);
      if (!found) co_return JobOutcome::retry_later(found.error().message);
      stored = found.value();
      probing = stored;
      if (stored) log->info("job {}: chunk {} was stored before the takeover", current.id, k);
    }
    if (!stored) {
      auto inserted = co_await store_->insert(user, std::move(chunk.events),
                                              core::Deadline::after(kChunkBudget));
      if (!inserted) {
        const auto& error = inserted.error();
        if (error.code == analytics::AnalyticsErrorCode::invalid) {
          failed("invalid_request", error.message);
          co_return JobOutcome::failure(error.message);
        }
        if (current.attempts >= current.max_attempts) failed("store_failed", error.message);
        co_return JobOutcome::retry_later(error.message);
      }
      written_here += count;
    }
    written += count;
    cost += chunk_cost;
    co_await changed_(user);
    const double progress = static_cast<double>(k + 1) / static_cast<double>(chunks);
    const auto elapsed = duration_cast<milliseconds>(steady_clock::now() - started).count();
    const int64_t eta_ms = written_here == 0
                               ? 0
                               : static_cast<int64_t>(static_cast<double>(elapsed) *
                                                      static_cast<double>(total - written) /
                                                      static_cast<double>(written_here));
    notify_(user, message("generation_progress", {{"job_id", current.id},
                                                  {"progress", progress},
                                                  {"events_written", written},
                                                  {"eta_ms", eta_ms}}));
    // After the last chunk too (the job's message then says all were written); a stop asked for
    // then comes too late to matter: the job succeeds.
    const bool go_on =
        co_await job.checkpoint(progress, fmt::format("{} of {} events written", written, total));
    if (!go_on && k + 1 < chunks) {
      if (job.cancel_requested()) failed("cancelled", "the job was cancelled");
      co_return JobOutcome::stopped();
    }
  }
  const double cents = std::round(cost * 1e6) / 1e6;
  notify_(user, message("generation_completed",
                        {{"job_id", current.id}, {"events", written}, {"cost_usd", cents}}));
  co_return JobOutcome::success(
      {{"events", written}, {"cost_usd", cents}, {"backend", store_->backend()}});
}

}  // namespace netra::tasks
