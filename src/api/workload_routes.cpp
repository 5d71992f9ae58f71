#include "api/workload_routes.hpp"

#include <fmt/format.h>

#include <atomic>
#include <boost/json/monotonic_resource.hpp>

#include "analytics/analytics_component.hpp"
#include "analytics/fallback_store.hpp"
#include "analytics/workload_event_json.hpp"
#include "api/error_response.hpp"
#include "api/workload_json.hpp"
#include "core/clock.hpp"
#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "net/json_parse.hpp"
#include "redis/shared_cache.hpp"
#include "redis/shared_token_buckets.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;

// Below the server's request deadline, so a slow store answers 504 from here, with a reason.
constexpr std::chrono::seconds kStoreBudget{20};
// Bodies above this are parsed on the offload pool: 10,000 events are megabytes of JSON, which
// would hold an event loop for longer than the watchdog allows.
constexpr size_t kInlineParseBytes = 64 * 1024;
constexpr int64_t kDefaultRangeMs = 30LL * 86'400'000;
// A dashboard polls its summary; the store is asked at most once per user and window this often.
constexpr std::chrono::seconds kSummaryCacheFor{30};

struct Routes {
  Routes(std::shared_ptr<analytics::FallbackAnalyticsStore> s, core::OffloadPool& o,
         const WorkloadRouteOptions& options)
      : store(std::move(s)),
        offload(o),
        gate(options.limits),
        rates("ingest", options.limits.events_per_second, options.limits.burst_events,
              options.redis),
        summaries(options.summaries ? options.summaries : make_summary_cache()) {
    if (!options.summaries && !options.redis.expired()) summaries->share_through(options.redis);
  }
  std::shared_ptr<analytics::FallbackAnalyticsStore> store;
  core::OffloadPool& offload;
  analytics::IngestGate gate;       // one per process: the limits hold across all requests
  redis::SharedTokenBuckets rates;  // each user's events per second: one bucket per cluster
  // Each user's summaries by window and grouping, for kSummaryCacheFor; dropped when the user
  // ingests (on any instance, with Redis) or a synthetic-data job writes.
  std::shared_ptr<redis::SharedCache> summaries;
  // Events, by what became of them (netra_workload_events_total).
  std::atomic<uint64_t> stored_clickhouse{0}, stored_embedded{0}, invalid{0}, rate_limited{0},
      busy{0}, failed{0};
};

// The body as a batch of events, or the 400 to answer.
struct ParsedBody {
  std::optional<HttpResponse> refusal;
  analytics::ParsedEvents parsed;
};

// A body past these bounds stops being built at the first value past them (net/json_parse.hpp).
constexpr size_t kMaxDepth = 8;  // an array of events, an event, its tags: 3 levels are used
// Values in the whole body: a full batch of events with every field, and room to spare.
constexpr size_t kMaxValues = analytics::kMaxBatchEvents * 64;

constexpr const char* kNotABatch = "the body must be a JSON array of events";

std::string refusal_of(net::JsonBoundsOutcome outcome) {
  using Outcome = net::JsonBoundsOutcome;
  switch (outcome) {
    case Outcome::within:
    case Outcome::invalid_json:
      return kNotABatch;
    case Outcome::too_deep:
      return fmt::format("values nested deeper than {} levels", kMaxDepth);
    case Outcome::too_many_values:
      return fmt::format("more than {} JSON values in one batch", kMaxValues);
    case Outcome::too_many_elements:
      return fmt::format("a batch holds 1 to {} events, not more", analytics::kMaxBatchEvents);
  }
  return kNotABatch;
}

ParsedBody parse_body(const std::string& body, const std::string& caller) {
  // Boost.JSON, not nlohmann: 8.7 times faster on a full batch (bench/json.sh), with its doubles
  // read exactly and its bounds held while it is built, in one pass (net/json_parse.hpp). The
  // document lives in one arena, released at once when the events have been read out of it.
  boost::json::monotonic_resource arena;
  auto outcome = net::JsonBoundsOutcome::within;
  const auto document = net::parse_json_within(
      body, {kMaxDepth, kMaxValues, analytics::kMaxBatchEvents}, outcome, &arena);
  if (outcome != net::JsonBoundsOutcome::within || !document.is_array()) {
    return {net::json_error(400, "invalid_request", refusal_of(outcome)), {}};
  }
  const auto& events = document.get_array();
  if (events.empty()) {
    return {net::json_error(
                400, "invalid_request",
                fmt::format("a batch holds 1 to {} events, not 0", analytics::kMaxBatchEvents)),
            {}};
  }
  return {std::nullopt, analytics::events_from_json(events, caller)};
}

asio::awaitable<HttpResponse> post_events(Routes& routes, HttpRequest& r) {
  ParsedBody body;
  if (r.body.size() <= kInlineParseBytes) {
    body = parse_body(r.body, r.user_id);
  } else {
    // By value: if this request is cancelled the pool thread may still be reading.
    auto parse = [text = std::move(r.body), caller = r.user_id] {
      return parse_body(text, caller);
    };
    body = co_await routes.offload.run(std::move(parse));
  }
  if (body.refusal) co_return std::move(*body.refusal);
  auto& parsed = body.parsed;
  const size_t count = parsed.events.size();
  if (!parsed.problems.empty()) {
    routes.invalid += count;
    auto error = analytics::AnalyticsError::invalid(
        fmt::format("{} of {} events are invalid", parsed.bad_events, parsed.events.size()),
        std::move(parsed.problems));
    co_return error_response(error, r.request_id);
  }
  // The queue first: a batch it turns away must not spend the user's rate.
  auto admitted = routes.gate.admit(count);
  std::optional<analytics::IngestGate::Refusal> refusal;
  if (!admitted) {
    refusal = admitted.error();
    routes.busy += count;
  } else if (const auto rate = co_await routes.rates.take(r.user_id, static_cast<double>(count));
             !rate.allowed) {
    refusal = routes.gate.over_rate(rate);
    routes.rate_limited += count;
  }
  if (refusal) {
    co_return net::json_error(429, refusal->code, refusal->message)
        .with_header("Retry-After", std::to_string(refusal->retry_after.count()));
  }
  const auto deadline = core::Deadline::after(kStoreBudget);
  auto served = co_await routes.store->insert_served(r.user_id, std::move(parsed.events), deadline);
  if (!served.result) {
    routes.failed += count;
    co_return error_response(served.result.error(), r.request_id);
  }
  (served.backend == "clickhouse" ? routes.stored_clickhouse : routes.stored_embedded) += count;
  co_await routes.summaries->drop(r.user_id);  // before the answer: the next summary sees them
  co_return net::json_response(
      json{{"accepted", served.result.value()}, {"backend", served.backend}}.dump());
}

// `from` and `to` (Unix seconds or ISO-8601; default the 30 days up to now) and `group_by`
// (model, workload or provider; default model), or the 400 naming each bad one.
struct SummaryQuery {
  analytics::TimeRange range;
  analytics::GroupBy group_by = analytics::GroupBy::model;
};

core::Result<SummaryQuery, HttpResponse> summary_query(const SummaryAsk& ask) {
  SummaryQuery q;
  json fields;  // null until a field is refused (an object is built only then)
  constexpr const char* kTimeRule = "Unix seconds or ISO-8601 (2024-06-01T00:00:00Z)";
  auto time_of = [&](const char* name, const std::string& text) -> std::optional<int64_t> {
    if (text.empty()) return std::nullopt;
    auto ms = parse_time(text);
    if (!ms) fields[name] = kTimeRule;
    return ms;
  };
  const auto from = time_of("from", ask.from);
  const auto to = time_of("to", ask.to);
  q.range.to_ms = to.value_or(core::unix_ms_now());
  q.range.from_ms = from.value_or(std::max<int64_t>(0, q.range.to_ms - kDefaultRangeMs));
  if (!ask.group_by.empty()) {
    if (auto group_by = analytics::parse_group_by(ask.group_by)) {
      q.group_by = *group_by;
    } else {
      fields["group_by"] = "model, workload or provider";
    }
  }
  if (fields.empty() && q.range.from_ms >= q.range.to_ms) fields["from"] = "must be before to";
  if (!fields.empty()) return net::invalid_fields(fields);
  return q;
}

asio::awaitable<HttpResponse> answer_summary(Routes& routes, const HttpRequest& caller,
                                             SummaryAsk ask) {
  auto query = summary_query(ask);
  if (!query) co_return query.error();
  // The window as asked: without `to` it ends when the answer was made (at most
  // kSummaryCacheFor ago; the answer's `to` says when). Cache-Status is RFC 9211's.
  const auto window =
      fmt::format("{}|{}|{}", ask.from, ask.to, analytics::to_string(query->group_by));
  auto cached = co_await routes.summaries->find(caller.user_id, window);
  if (cached.value) {
    co_return net::json_response(std::move(*cached.value))
        .with_header("Cache-Status", "netra; hit");
  }
  const auto deadline = core::Deadline::after(kStoreBudget);
  auto served = co_await routes.store->summary_served(caller.user_id, query->range, query->group_by,
                                                      deadline);
  if (!served.result) co_return error_response(served.result.error(), caller.request_id);
  auto groups = json::array();
  for (const auto& g : served.result.value()) groups.push_back(group_summary_json(g));
  auto answer = json{{"group_by", analytics::to_string(query->group_by)},
                     {"from", query->range.from_ms / 1000},
                     {"to", query->range.to_ms / 1000},
                     {"backend", served.backend},
                     {"complete", !served.partial.has_value()},
                     {"groups", std::move(groups)}};
  if (served.partial) {
    answer["partial"] = {{"since", served.partial->since_ms / 1000},
                         {"missing", served.partial->missing}};
  }
  auto body = answer.dump();
  // A partial answer is not kept: the next read may find ClickHouse answering again.
  if (cached.generation && !served.partial) {
    co_await routes.summaries->keep(caller.user_id, window, std::move(*cached.generation), body);
  }
  co_return net::json_response(std::move(body)).with_header("Cache-Status", "netra; fwd=miss");
}

// Not a coroutine of its own: the query is read into the ask before answer_summary starts.
asio::awaitable<HttpResponse> get_summary(Routes& routes, HttpRequest& r) {
  return answer_summary(routes, r,
                        {r.query_param("from"), r.query_param("to"), r.query_param("group_by")});
}

}  // namespace

std::shared_ptr<redis::SharedCache> make_summary_cache() {
  return std::make_shared<redis::SharedCache>("summary", kSummaryCacheFor);
}

SummaryReader add_workload_routes(net::Router& router,
                                  std::shared_ptr<analytics::FallbackAnalyticsStore> store,
                                  core::OffloadPool& offload, core::HealthRegistry& health,
                                  const WorkloadRouteOptions& options) {
  auto routes = std::make_shared<Routes>(std::move(store), offload, options);
  health.add_family({"netra_workload_events_total",
                     "Workload events stored per backend, and refused (invalid, over the rate, "
                     "over the queue) or failed",
                     "outcome", true, [routes] {
                       auto n = [](const std::atomic<uint64_t>& v) {
                         return static_cast<double>(v.load());
                       };
                       return std::vector<core::HealthRegistry::Series>{
                           {"stored_clickhouse", n(routes->stored_clickhouse)},
                           {"stored_embedded", n(routes->stored_embedded)},
                           {"invalid", n(routes->invalid)},
                           {"rate_limited", n(routes->rate_limited)},
                           {"ingest_busy", n(routes->busy)},
                           {"failed", n(routes->failed)}};
                     }});
  // 503 only while nothing can serve: a degraded `clickhouse` means the embedded store does.
  net::RouteOptions route;
  route.needs_component = analytics::AnalyticsComponent::kName;
  route.authenticated = true;
  route.serves_degraded = true;
  route.key_scope = "read";
  auto ingest = route;
  ingest.key_scope = "ingest";
  ingest.body_limit = options.body_limit;
  // Before the body is read: its bytes count against the instance's share for bodies being read
  // and parsed (a chunked one counts as the largest allowed), and a caller over the rate already
  // is refused without sending the rest.
  ingest.admit =
      [routes, limit = options.body_limit](
          const HttpRequest& head,
          std::optional<uint64_t> length) -> core::Result<std::shared_ptr<void>, HttpResponse> {
    const size_t bytes = length ? static_cast<size_t>(*length) : limit;
    auto admitted = routes->gate.admit_body(bytes);
    std::optional<analytics::IngestGate::Refusal> refusal;
    if (!admitted) {
      refusal = admitted.error();
    } else if (const auto most = analytics::IngestGate::events_to_check(bytes)) {
      // Decided now, before the body is sent: from the user's bucket as last seen here.
      const auto rate = routes->rates.estimate(head.user_id, static_cast<double>(*most));
      if (!rate.allowed) refusal = routes->gate.over_rate(rate);
    }
    if (refusal) {
      // Not counted in netra_workload_events_total: how many events it held is unknown.
      return net::json_error(429, refusal->code, refusal->message)
          .with_header("Retry-After", std::to_string(refusal->retry_after.count()));
    }
    return std::shared_ptr<void>(
        std::make_shared<analytics::IngestGate::Ticket>(std::move(admitted.value())));
  };
  router.add(
      "POST", "/api/workloads/events", [routes](HttpRequest& r) { return post_events(*routes, r); },
      ingest);
  router.add(
      "GET", std::string(kSummaryPath),
      [routes](HttpRequest& r) { return get_summary(*routes, r); }, route);
  return [routes](const HttpRequest& caller, SummaryAsk ask) {
    return answer_summary(*routes, caller, std::move(ask));
  };
}

}  // namespace netra::api
