#include "api/event_stream_routes.hpp"

#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "api/chat_json.hpp"
#include "api/error_response.hpp"
#include "api/event_streams.hpp"
#include "chat/chat_store.hpp"
#include "chat/chat_validation.hpp"
#include "chat/event_sink.hpp"
#include "core/clock.hpp"
#include "core/parse_number.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "net/response_stream.hpp"
#include "net/sse_event.hpp"

namespace netra::api {
namespace {

using json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::chrono::seconds kStoreBudget{5};

// When a stream must end whatever happens: its idle limit from the last event, and the caller's
// access token's expiry (an API key's stream has none).
struct StreamClock {
  StreamClock(const EventStreamLimits& limits, int64_t token_expires_at)
      : limits(limits), last_event(steady_clock::now()) {
    if (token_expires_at > 0) {
      const auto left = std::chrono::seconds(token_expires_at - core::unix_seconds_now());
      token_expiry = steady_clock::now() + std::max(left, std::chrono::seconds(0));
    }
  }
  // How long to wait for the next event before a heartbeat or an end.
  milliseconds wait() const {
    const auto now = steady_clock::now();
    auto until = std::min({now + limits.heartbeat, last_event + limits.idle_timeout,
                           token_expiry.value_or(steady_clock::time_point::max())});
    return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(until - now));
  }
  // Why the stream ends now, if it does.
  std::optional<std::string> over() const {
    const auto now = steady_clock::now();
    if (now >= last_event + limits.idle_timeout) return "idle limit reached";
    if (token_expiry && now >= *token_expiry) return "access token expired";
    return std::nullopt;
  }
  EventStreamLimits limits;
  steady_clock::time_point last_event;
  std::optional<steady_clock::time_point> token_expiry;
};

// A burst of queued events is written together up to about this much.
constexpr size_t kBurstBytes = 64 * 1024;

// The end of a stream, as a comment a client may show: never an event it would act on.
std::string end_comment(const std::string& why) {
  return ": stream ends: " + why + "\n\n";
}

// GET /api/events: every live event of the caller until the stream ends.
class LiveEvents final : public net::StreamBody {
 public:
  LiveEvents(std::shared_ptr<EventStreams::Subscription> subscription, EventStreamLimits limits,
             int64_t token_expires_at)
      : subscription_(std::move(subscription)), clock_(limits, token_expires_at) {}

  asio::awaitable<void> run(net::ResponseStream& out) override {
    out.on_closing([s = subscription_] { s->wake(); });
    if (!co_await out.write(": connected\nretry: 3000\n\n")) co_return;
    while (!out.closing()) {
      auto message = co_await subscription_->next(clock_.wait());
      if (subscription_->revoked()) {
        co_await out.write(end_comment("the login or API key was revoked"));
        co_return;
      }
      if (message) {
        // What queued meanwhile goes out in the same write: one chunk, one send, for a burst.
        std::string events = net::sse_event(message->type, message->text);
        while (events.size() < kBurstBytes) {
          auto more = subscription_->try_next();
          if (!more) break;
          events += net::sse_event(more->type, more->text);
        }
        clock_.last_event = steady_clock::now();
        if (!co_await out.write(events)) co_return;
        continue;
      }
      if (subscription_->overflowed()) {
        co_await out.write(end_comment("the client did not keep up"));
        co_return;
      }
      if (auto why = clock_.over()) {
        co_await out.write(end_comment(*why));
        co_return;
      }
      if (!out.closing() && !co_await out.write(": keep-alive\n\n")) co_return;
    }
  }

 private:
  std::shared_ptr<EventStreams::Subscription> subscription_;
  StreamClock clock_;
};

// GET /api/runs/{run_id}/events: the run's stored steps after Last-Event-ID, then its live events,
// until its last one.
class RunEvents final : public net::StreamBody {
 public:
  RunEvents(std::shared_ptr<chat::ChatStore> store, std::shared_ptr<EventStreams::Subscription> s,
            chat::RunWithSteps found, int64_t after, EventStreamLimits limits,
            int64_t token_expires_at)
      : store_(std::move(store)),
        subscription_(std::move(s)),
        found_(std::move(found)),
        last_sent_(after),
        clock_(limits, token_expires_at) {}

  asio::awaitable<void> run(net::ResponseStream& out) override {
    out.on_closing([s = subscription_] { s->wake(); });
    if (!co_await out.write("retry: 3000\n\n")) co_return;
    if (!co_await send_stored(out, found_)) co_return;
    while (!ended_ && !out.closing()) {
      auto message = co_await subscription_->next(clock_.wait());
      if (subscription_->revoked()) {
        co_await out.write(end_comment("the login or API key was revoked"));
        co_return;
      }
      if (message) {
        if (!co_await send_live(out, message->text)) co_return;
        continue;
      }
      if (subscription_->overflowed()) {
        co_await out.write(end_comment("the client did not keep up; resume from Last-Event-ID"));
        co_return;
      }
      if (auto why = clock_.over()) {
        co_await out.write(end_comment(*why));
        co_return;
      }
      if (out.closing()) break;
      // Quiet for a heartbeat: what was stored meanwhile (an event this instance did not hear),
      // and whether the run ended without a last event (its instance died).
      if (!co_await catch_up(out)) co_return;
      if (!ended_ && !co_await out.write(": keep-alive\n\n")) co_return;
    }
  }

 private:
  // Steps after last_sent_, in seq order; the run ends the stream when it is over.
  asio::awaitable<bool> send_stored(net::ResponseStream& out, const chat::RunWithSteps& run) {
    for (const auto& step : run.steps) {
      if (step.seq <= last_sent_) continue;
      if (!co_await send(out, step.type, step_json(step).dump(), step.seq)) co_return false;
    }
    if (chat::is_terminal(run.run.status)) ended_ = true;
    co_return true;
  }

  asio::awaitable<bool> send_live(net::ResponseStream& out, const std::string& text) {
    const auto event = json::parse(text, nullptr, false);
    if (!event.is_object() || event.value("run_id", "") != found_.run.id) co_return true;
    const int64_t seq = event.value("seq", int64_t{0});
    if (seq <= last_sent_) co_return true;  // sent from the stored steps already
    if (seq > last_sent_ + 1) co_return co_await catch_up(out);  // missed some: read them back
    co_return co_await send(out, event.value("type", "message"), text, seq);
  }

  asio::awaitable<bool> catch_up(net::ResponseStream& out) {
    auto found = co_await store_->runs.get(found_.run.user_id, found_.run.id,
                                           core::Deadline::after(kStoreBudget));
    if (!found) co_return true;  // the database will answer at a later heartbeat
    co_return co_await send_stored(out, *found);
  }

  asio::awaitable<bool> send(net::ResponseStream& out, std::string_view type, std::string_view data,
                             int64_t seq) {
    last_sent_ = seq;
    clock_.last_event = steady_clock::now();
    if (chat::ends_run(type)) ended_ = true;
    co_return co_await out.write(net::sse_event(type, data, seq));
  }

  std::shared_ptr<chat::ChatStore> store_;
  std::shared_ptr<EventStreams::Subscription> subscription_;
  chat::RunWithSteps found_;
  int64_t last_sent_;
  StreamClock clock_;
  bool ended_ = false;
};

// What a stream was opened with, whose revocation ends it: the API key, or the login.
std::string credential_of(const HttpRequest& r) {
  return r.api_key_id.empty() ? r.session_id : r.api_key_id;
}

HttpResponse event_stream(std::shared_ptr<net::StreamBody> body) {
  HttpResponse response;
  response.content_type = "text/event-stream";
  response.with_header("Cache-Control", "no-store");
  response.with_header("X-Accel-Buffering", "no");  // a proxy must not hold events back
  response.stream = std::move(body);
  return response;
}

HttpResponse too_many_streams(const EventStreamLimits& limits) {
  return net::json_error(429, "too_many_streams",
                         "you hold " + std::to_string(limits.streams_per_user) +
                             " event streams on this server, the most allowed; close one")
      .with_header("Retry-After", "5");
}

// Last-Event-ID (or ?last_event_id= for a client that cannot set headers): the seq to resume
// after; 0 when absent.
core::Result<int64_t, HttpResponse> resume_after(const HttpRequest& r) {
  std::string text(r.header("last-event-id"));
  if (text.empty()) text = r.query_param("last_event_id");
  if (text.empty()) return int64_t{0};
  const auto seq = core::parse_whole_integer<int64_t>(text);
  if (!seq || *seq < 0) {
    return net::invalid_fields({{"Last-Event-ID", "the id of an event of this run (its seq)"}});
  }
  return *seq;
}

asio::awaitable<HttpResponse> run_events(std::shared_ptr<chat::ChatStore> store,
                                         std::shared_ptr<EventStreams> streams,
                                         EventStreamLimits limits, HttpRequest& r) {
  const auto& id = r.path_params.at("run_id");
  if (auto bad = chat::check_id(id, chat::IdKind::run, "run_id")) {
    co_return net::invalid_fields({{bad->field, bad->reason}});
  }
  auto after = resume_after(r);
  if (!after) co_return after.error();
  // Subscribed before the stored steps are read: an event stored after the read arrives live.
  auto subscription =
      streams->subscribe(r.user_id, credential_of(r), co_await asio::this_coro::executor);
  if (!subscription) co_return too_many_streams(limits);
  auto found = co_await store->runs.get(r.user_id, id, core::Deadline::after(kStoreBudget));
  if (!found) co_return error_response(found.error(), r.request_id);
  co_return event_stream(std::make_shared<RunEvents>(store, std::move(subscription),
                                                     std::move(found.value()), *after, limits,
                                                     r.token_expires_at));
}

asio::awaitable<HttpResponse> live_events(std::shared_ptr<EventStreams> streams,
                                          EventStreamLimits limits, HttpRequest& r) {
  auto subscription =
      streams->subscribe(r.user_id, credential_of(r), co_await asio::this_coro::executor);
  if (!subscription) co_return too_many_streams(limits);
  co_return event_stream(
      std::make_shared<LiveEvents>(std::move(subscription), limits, r.token_expires_at));
}

}  // namespace

void add_event_stream_routes(net::Router& router, std::shared_ptr<chat::ChatStore> store,
                             std::shared_ptr<EventStreams> streams, EventStreamLimits limits) {
  const net::RouteOptions route{
      .needs_component = "api", .authenticated = true, .key_scope = "read", .event_stream = true};
  router.add(
      "GET", "/api/runs/{run_id}/events",
      [store, streams, limits](HttpRequest& r) { return run_events(store, streams, limits, r); },
      route);
  router.add(
      "GET", "/api/events",
      [streams, limits](HttpRequest& r) { return live_events(streams, limits, r); }, route);
}

}  // namespace netra::api
