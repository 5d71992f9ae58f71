#include "api/mcp/find_savings.hpp"

#include <fmt/format.h>

#include <boost/asio/this_coro.hpp>

#include "api/event_streams.hpp"
#include "chat/chat_store.hpp"
#include "chat/chat_validation.hpp"
#include "chat/event_sink.hpp"
#include "net/response_stream.hpp"
#include "net/route_call.hpp"
#include "net/sse_event.hpp"

namespace netra::api::mcp {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::chrono::seconds kStoreBudget{5};
// How often a quiet run is read back from the store: an event this instance did not hear (its
// client's queue overflowed) must not leave the call waiting for the next heartbeat.
constexpr milliseconds kQuietCheck{2000};
constexpr std::chrono::seconds kHeartbeat{15};

std::string sse_message(const json& message) {
  return net::sse_event("message", message.dump());
}

net::HttpResponse json_answer(const json& message) {
  return net::json_response(message.dump());
}

// The run's answer: its report, or why it has none.
asio::awaitable<json> run_result(const McpServices& services, const chat::Run& run,
                                 const std::string& owner) {
  const json about = {{"run_id", run.id},
                      {"thread_id", run.thread_id},
                      {"status", chat::to_string(run.status)},
                      {"report_uri", report_uri(run.id)}};
  if (run.status != chat::RunStatus::completed) {
    auto result = tool_error(fmt::format("the run ended {}: {}", chat::to_string(run.status),
                                         run.error.value_or("no reason was recorded")));
    result["structuredContent"] = about;
    co_return result;
  }
  auto report =
      co_await services.chat->reports.of_run(owner, run.id, core::Deadline::after(kStoreBudget));
  if (!report) {
    auto result = tool_error(
        "the run completed, but its report could not be read now; "
        "call get_report with run_id " +
        run.id);
    result["structuredContent"] = about;
    co_return result;
  }
  json result = {{"content", json::array({{{"type", "text"}, {"text", report->content}}})},
                 {"structuredContent", about}};
  co_return result;
}

class FollowRun final : public net::StreamBody {
 public:
  FollowRun(std::shared_ptr<const McpServices> services,
            std::shared_ptr<EventStreams::Subscription> subscription, json id, json progress_token,
            chat::Run run)
      : services_(std::move(services)),
        subscription_(std::move(subscription)),
        id_(std::move(id)),
        progress_token_(std::move(progress_token)),
        run_(std::move(run)) {}

  asio::awaitable<void> run(net::ResponseStream& out) override {
    out.on_closing([s = subscription_] { s->wake(); });
    const auto started = steady_clock::now();
    auto last_write = started;
    if (!co_await progress(out,
                           fmt::format("run {} started in thread {}", run_.id, run_.thread_id))) {
      co_return;
    }
    while (true) {
      if (out.closing()) {
        co_await finish(out, tool_error("the server is shutting down; the run goes on: call "
                                        "get_report with run_id " +
                                        run_.id + " later"));
        co_return;
      }
      if (steady_clock::now() - started > kMaxFollow) {
        co_await finish(
            out, tool_error("the run has not ended after " + std::to_string(kMaxFollow.count()) +
                            " minutes; call get_report with run_id " + run_.id + " later"));
        co_return;
      }
      auto message = co_await subscription_->next(kQuietCheck);
      if (subscription_->revoked()) {
        co_await finish(out, tool_error("the login or API key that called was revoked"));
        co_return;
      }
      if (message) {
        if (!co_await heard(out, message->text)) co_return;
        last_write = steady_clock::now();
        if (!ended_) continue;
      }
      // The run ended, or it was quiet: what the store says of it.
      auto found = co_await services_->chat->runs.get(run_.user_id, run_.id,
                                                      core::Deadline::after(kStoreBudget));
      if (found && chat::is_terminal(found->run.status)) {
        auto result = co_await run_result(*services_, found->run, run_.user_id);
        co_await finish(out, std::move(result));
        co_return;
      }
      if (steady_clock::now() - last_write >= kHeartbeat) {
        if (!co_await out.write(": keep-alive\n\n")) co_return;
        last_write = steady_clock::now();
      }
    }
  }

 private:
  // One message the user's streams heard: this run's events become progress.
  asio::awaitable<bool> heard(net::ResponseStream& out, const std::string& text) {
    const auto event = json::parse(text, nullptr, false);
    if (!event.is_object() || event.value("run_id", "") != run_.id) co_return true;
    const int64_t seq = event.value("seq", int64_t{0});
    if (seq <= last_seq_) co_return true;
    last_seq_ = seq;
    const auto type = event.value("type", std::string("event"));
    if (chat::ends_run(type)) ended_ = true;
    std::string message = type;
    // What a person reads of it: the step's own words, or the tool it runs.
    if (const auto data = event.find("data"); data != event.end() && data->is_object()) {
      for (const char* key : {"message", "tool"}) {
        if (const auto said = data->find(key); said != data->end() && said->is_string()) {
          message += ": " + said->get<std::string>();
          break;
        }
      }
    }
    co_return co_await progress(out, std::move(message));
  }

  asio::awaitable<bool> progress(net::ResponseStream& out, std::string message) {
    if (progress_token_.is_null()) co_return true;
    ++progress_;  // increases with every notification, as the protocol requires
    json params = {
        {"progressToken", progress_token_}, {"progress", progress_}, {"message", message}};
    const auto text = sse_message(rpc_notification("notifications/progress", std::move(params)));
    co_return co_await out.write(text);
  }

  asio::awaitable<void> finish(net::ResponseStream& out, json result) {
    co_await out.write(sse_message(rpc_result(id_, std::move(result))));
  }

  std::shared_ptr<const McpServices> services_;
  std::shared_ptr<EventStreams::Subscription> subscription_;
  json id_;
  json progress_token_;
  chat::Run run_;
  int64_t last_seq_ = 0;
  int64_t progress_ = 0;
  bool ended_ = false;
};

// Why a call ends before its run starts: the tool result that says so.
struct NotStarted {
  std::string result;  // JSON text
};

// The thread to run in: the one given, or a new one (POST /api/threads).
asio::awaitable<core::Result<std::string, NotStarted>> thread_for(
    const McpServices& services, const boost::json::object& arguments,
    const net::HttpRequest& caller) {
  if (const auto* given = arguments.if_contains("thread_id")) {
    const std::string id(given->get_string());
    if (auto bad = chat::check_id(id, chat::IdKind::thread, "thread_id")) {
      NotStarted refused{tool_error("\"thread_id\" " + bad->reason).dump()};
      co_return refused;
    }
    std::string chosen = id;
    co_return chosen;
  }
  net::RouteCall create{"POST", "/api/threads", "{}"};
  auto created =
      co_await net::call_route(services.router, services.availability, std::move(create), caller);
  if (created.status != 201) {
    NotStarted refused{result_of_route(created)};
    co_return refused;
  }
  std::string made = json::parse(created.body).at("id").get<std::string>();
  co_return made;
}

}  // namespace

asio::awaitable<net::HttpResponse> find_savings(std::shared_ptr<const McpServices> services,
                                                json id, boost::json::object arguments,
                                                json progress_token,
                                                const net::HttpRequest& caller) {
  using Type = ArgumentRule::Type;
  const auto bad = check_arguments(
      arguments, {{"request", Type::string}, {"thread_id", Type::string}}, {"request"});
  if (bad) co_return json_answer(rpc_result(id, tool_error(*bad)));
  // Subscribed before the run starts: its first events arrive while the start is answered.
  auto subscription = services->streams->subscribe(
      caller.user_id, caller.api_key_id.empty() ? caller.session_id : caller.api_key_id,
      co_await asio::this_coro::executor);
  if (!subscription) {
    co_return json_answer(rpc_result(
        id, tool_error("you hold the most event streams allowed on this server (server-sent "
                       "events and long tool calls); end one and call again")));
  }
  auto thread = co_await thread_for(*services, arguments, caller);
  if (!thread) co_return net::json_response(rpc_result_text(id, thread.error().result));
  const json body = {{"user_request", std::string(arguments.at("request").get_string())}};
  net::RouteCall start{"POST", "/api/threads/" + thread.value() + "/runs", body.dump()};
  auto started =
      co_await net::call_route(services->router, services->availability, std::move(start), caller);
  if (started.status != 202) {
    co_return net::json_response(rpc_result_text(id, result_of_route(started)));
  }
  const auto answer = json::parse(started.body);
  chat::Run run;
  run.id = answer.at("run").at("id").get<std::string>();
  run.thread_id = thread.value();
  run.user_id = caller.user_id;
  net::HttpResponse response;
  response.content_type = "text/event-stream";
  response.with_header("Cache-Control", "no-store");
  response.with_header("X-Accel-Buffering", "no");  // a proxy must not hold progress back
  response.stream =
      std::make_shared<FollowRun>(std::move(services), std::move(subscription), std::move(id),
                                  std::move(progress_token), std::move(run));
  co_return response;
}

}  // namespace netra::api::mcp
