#include "api/job_routes.hpp"

#include <fmt/format.h>

#include "analytics/demo_workload.hpp"
#include "api/chat_json.hpp"
#include "api/error_response.hpp"
#include "core/clock.hpp"
#include "core/retry_policy.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "tasks/background_tasks_component.hpp"
#include "tasks/synthetic_workload_job.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;

constexpr std::chrono::seconds kStoreBudget{10};
// A user at the limit waits for one of their jobs to end: a 10,000-event job takes seconds.
constexpr const char* kRetryWhenFull = "30";
constexpr size_t kMaxIdempotencyKeyBytes = 128;

json templates_json() {
  auto profiles = json::array();
  for (const auto& p : analytics::workload_profiles()) {
    auto models = json::array();
    for (const auto& m : p.models) {
      const auto& known = analytics::demo_models();
      const auto it = std::find_if(known.begin(), known.end(),
                                   [&](const auto& profile) { return profile.model == m.model; });
      models.push_back({{"provider", it == known.end() ? "" : it->provider},
                        {"model", m.model},
                        {"share", m.share}});
    }
    profiles.push_back({{"id", p.id},
                        {"team", p.team},
                        {"models", std::move(models)},
                        {"input_tokens_median", p.input_median},
                        {"output_tokens_median", p.output_median},
                        {"repeated_prompt_share", p.repeat_share},
                        {"cached_share_of_repeats", p.cache_share}});
  }
  auto templates = json::array();
  for (const auto& t : analytics::workload_templates()) {
    json shares = json::object();
    double total = 0;
    for (const auto& id : t.workloads) total += analytics::find_workload_profile(id)->weight;
    for (const auto& id : t.workloads) {
      shares[id] = std::round(analytics::find_workload_profile(id)->weight / total * 1000) / 1000;
    }
    templates.push_back({{"id", t.id},
                         {"name", t.name},
                         {"description", t.description},
                         {"workloads", t.workloads},
                         {"traffic_share", std::move(shares)},
                         {"suggested_days", t.suggested_days},
                         {"suggested_events", t.suggested_events}});
  }
  return {{"templates", std::move(templates)},
          {"workloads", std::move(profiles)},
          {"limits",
           {{"max_events", tasks::SyntheticLimits::kMaxEvents},
            {"max_days", tasks::SyntheticLimits::kMaxDays},
            {"max_active_jobs", tasks::SyntheticLimits::kMaxActivePerUser}}}};
}

// The {id} of the path when it has the shape of a job id; anything else is not found.
std::optional<std::string> job_id(const HttpRequest& r) {
  const auto it = r.path_params.find("id");
  if (it == r.path_params.end()) return std::nullopt;
  const auto& id = it->second;
  if (id.size() < 5 || id.size() > 64 || id.rfind("job_", 0) != 0) return std::nullopt;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return std::nullopt;
  }
  return id;
}

HttpResponse no_such_job() {
  return net::json_error(404, "not_found", "no such job");
}

asio::awaitable<HttpResponse> start_synthetic(tasks::BackgroundTasksComponent& tasks,
                                              HttpRequest& r) {
  auto body = net::json_object_body(r, /*empty_is_object=*/true);
  if (!body) co_return body.error();
  const auto seed = static_cast<uint64_t>(core::make_random_source()() * 4294967296.0);
  auto request = tasks::parse_synthetic_request(*body, core::unix_ms_now(), seed);
  if (!request) co_return net::invalid_fields(request.error());
  std::optional<std::string> key;
  if (const auto header = r.header("idempotency-key"); !header.empty()) {
    if (header.size() > kMaxIdempotencyKeyBytes) {
      co_return net::invalid_fields(
          {{"Idempotency-Key", fmt::format("at most {} bytes", kMaxIdempotencyKeyBytes)}});
    }
    key = std::string(header);
  }
  tasks::NewJob job;
  job.kind = tasks::kSyntheticWorkloadKind;
  job.user_id = r.user_id;
  job.payload = tasks::synthetic_payload(*request);
  job.max_attempts = 5;
  job.idempotency_key = key;
  auto queued =
      co_await tasks.enqueue_within(std::move(job), tasks::SyntheticLimits::kMaxActivePerUser,
                                    core::Deadline::after(kStoreBudget));
  if (!queued) co_return error_response(queued.error(), r.request_id);
  if (queued->over_limit) {
    co_return net::json_error(
        429, "too_many_jobs",
        fmt::format("{} synthetic-data jobs are queued or running; at most {} at a time",
                    *queued->over_limit, tasks::SyntheticLimits::kMaxActivePerUser))
        .with_header("Retry-After", kRetryWhenFull);
  }
  // A retried request with its key finds the job it made.
  if (!queued->created) co_return net::json_response(json{{"job", job_json(queued->job)}}.dump());
  co_return net::json_response(json{{"job", job_json(queued->job)}}.dump(), 202)
      .with_header("Location", "/api/jobs/" + queued->job.id);
}

asio::awaitable<HttpResponse> list_jobs(tasks::BackgroundTasksComponent& tasks, HttpRequest& r) {
  json fields = json::object();
  std::optional<std::string> kind;
  if (const auto text = r.query_param("kind"); !text.empty()) {
    if (text.size() > 64) {
      fields["kind"] = "at most 64 bytes";
    } else {
      kind = std::string(text);
    }
  }
  std::optional<tasks::JobState> state;
  if (const auto text = r.query_param("state"); !text.empty()) {
    state = tasks::parse_job_state(text);
    if (!state) fields["state"] = "queued, running, succeeded, failed, cancelled or dead";
  }
  int64_t limit = 50;
  if (const auto text = r.query_param("limit"); !text.empty()) {
    try {
      size_t used = 0;
      limit = std::stoll(std::string(text), &used);
      if (used != text.size() || limit < 1 || limit > 100) fields["limit"] = "1 to 100";
    } catch (const std::exception&) {
      fields["limit"] = "1 to 100";
    }
  }
  if (!fields.empty()) co_return net::invalid_fields(fields);
  auto jobs = co_await tasks.jobs().list_for(r.user_id, kind, state, limit,
                                             core::Deadline::after(kStoreBudget));
  if (!jobs) co_return error_response(jobs.error(), r.request_id);
  auto list = json::array();
  for (const auto& job : *jobs) list.push_back(job_json(job));
  co_return net::json_response(json{{"jobs", std::move(list)}}.dump());
}

asio::awaitable<HttpResponse> get_job(tasks::BackgroundTasksComponent& tasks, HttpRequest& r) {
  const auto id = job_id(r);
  if (!id) co_return no_such_job();
  auto job = co_await tasks.jobs().get_for(r.user_id, *id, core::Deadline::after(kStoreBudget));
  if (!job) co_return error_response(job.error(), r.request_id);
  if (!job.value()) co_return no_such_job();
  co_return net::json_response(json{{"job", job_json(**job)}}.dump());
}

asio::awaitable<HttpResponse> cancel_job(tasks::BackgroundTasksComponent& tasks, HttpRequest& r) {
  const auto id = job_id(r);
  if (!id) co_return no_such_job();
  auto job = co_await tasks.jobs().cancel_for(r.user_id, *id, core::Deadline::after(kStoreBudget));
  if (!job) co_return error_response(job.error(), r.request_id);
  if (!job.value()) co_return no_such_job();
  const auto& found = **job;
  if (tasks::is_terminal(found.state) && found.state != tasks::JobState::cancelled) {
    co_return net::json_error(
        409, "job_ended", fmt::format("the job already ended ({})", tasks::to_string(found.state)));
  }
  // 202 while a running job is still on its way to its next chunk.
  const int status = found.state == tasks::JobState::cancelled ? 200 : 202;
  co_return net::json_response(json{{"job", job_json(found)}}.dump(), status);
}

}  // namespace

json job_json(const tasks::Job& job) {
  return {{"id", job.id},
          {"kind", job.kind},
          {"state", tasks::to_string(job.state)},
          {"progress", job.progress},
          {"message", job.message ? json(*job.message) : json(nullptr)},
          {"payload", job.payload},
          {"result", job.result ? *job.result : json(nullptr)},
          {"error", job.error ? json(*job.error) : json(nullptr)},
          {"attempts", job.attempts},
          {"max_attempts", job.max_attempts},
          {"cancel_requested", job.cancel_requested},
          {"created_at", job.created_at / 1000},
          {"updated_at", job.updated_at / 1000},
          {"started_at", unix_seconds_or_null(job.started_at)},
          {"finished_at", unix_seconds_or_null(job.finished_at)}};
}

void add_job_routes(net::Router& router, tasks::BackgroundTasksComponent& tasks) {
  net::RouteOptions route;
  route.needs_component = tasks::BackgroundTasksComponent::kName;
  route.authenticated = true;
  // A key with `read` sees jobs; starting or cancelling one takes a signed-in user.
  auto reading = route;
  reading.key_scope = "read";
  auto small_body = route;
  small_body.body_limit = 16 * 1024;
  router.add(
      "GET", "/api/generation/templates",
      [body = templates_json().dump()](HttpRequest&) -> asio::awaitable<HttpResponse> {
        co_return net::json_response(body);
      },
      net::RouteOptions{.needs_component = "api", .authenticated = true, .key_scope = "read"});
  router.add(
      "POST", "/api/generation/synthetic",
      [&tasks](HttpRequest& r) { return start_synthetic(tasks, r); }, small_body);
  router.add(
      "GET", "/api/jobs", [&tasks](HttpRequest& r) { return list_jobs(tasks, r); }, reading);
  router.add(
      "GET", "/api/jobs/{id}", [&tasks](HttpRequest& r) { return get_job(tasks, r); }, reading);
  router.add(
      "POST", "/api/jobs/{id}/cancel", [&tasks](HttpRequest& r) { return cancel_job(tasks, r); },
      small_body);
}

}  // namespace netra::api
