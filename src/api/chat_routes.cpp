#include "api/chat_routes.hpp"

#include "agents/agent_runs.hpp"
#include "api/chat_json.hpp"
#include "api/error_response.hpp"
#include "chat/chat_store.hpp"
#include "chat/chat_validation.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;

// Below the server's request deadline, so a slow database answers 504 from here, with a reason.
constexpr std::chrono::seconds kStoreBudget{10};
// Reading conversations is an API key's `read` scope; changing them, its `agent` scope.
const net::RouteOptions kChatRead{
    .needs_component = "api", .authenticated = true, .key_scope = "read"};
const net::RouteOptions kChatWrite{
    .needs_component = "api", .authenticated = true, .key_scope = "agent"};

core::Deadline store_deadline() {
  return core::Deadline::after(kStoreBudget);
}

struct Page {
  int64_t limit = 20;
  int64_t offset = 0;
};

// ?limit= (1–100, default 20) and ?offset= (0 or more), or the 400 naming the bad one.
core::Result<Page, HttpResponse> page_of(const HttpRequest& r) {
  Page page;
  nlohmann::json fields = nlohmann::json::object();
  auto read = [&](const char* name, int64_t& into, int64_t min, int64_t max, const char* rule) {
    const auto text = r.query_param(name);
    if (text.empty()) return;
    try {
      size_t used = 0;
      const long long value = std::stoll(text, &used);
      if (used == text.size() && value >= min && value <= max) {
        into = value;
        return;
      }
    } catch (const std::exception&) {
    }
    fields[name] = rule;
  };
  read("limit", page.limit, 1, chat::kMaxPageLimit, "an integer from 1 to 100");
  read("offset", page.offset, 0, 1'000'000'000, "an integer, 0 or more");
  if (!fields.empty()) return net::invalid_fields(fields);
  return page;
}

// The {id} of the path, when it has the shape of an id of that kind.
core::Result<std::string, HttpResponse> path_id(const HttpRequest& r, const char* param,
                                                chat::IdKind kind) {
  const auto it = r.path_params.find(param);
  std::string id = it == r.path_params.end() ? "" : it->second;
  if (auto bad = chat::check_id(id, kind, param)) {
    return net::invalid_fields({{bad->field, bad->reason}});
  }
  return id;
}

// {title?, metadata?} for create and update; absent fields stay absent.
core::Result<chat::ThreadUpdate, HttpResponse> thread_fields(const HttpRequest& r) {
  auto body = net::json_object_body(r, /*empty_is_object=*/true);
  if (!body) return body.error();
  nlohmann::json fields = nlohmann::json::object();
  net::reject_unknown_fields(*body, {"title", "metadata"}, fields);
  chat::ThreadUpdate update;
  if (auto it = body->find("title"); it != body->end() && !it->is_null()) {
    if (!it->is_string()) {
      fields["title"] = "must be a string";
    } else if (auto bad = chat::check_title(it->get_ref<const std::string&>())) {
      fields[bad->field] = bad->reason;
    } else {
      update.title = it->get<std::string>();
    }
  }
  if (auto it = body->find("metadata"); it != body->end()) {
    if (auto bad = chat::check_metadata(*it)) {
      fields[bad->field] = bad->reason;
    } else {
      update.metadata = *it;
    }
  }
  if (!fields.empty()) return net::invalid_fields(fields);
  return update;
}

asio::awaitable<HttpResponse> list_threads(chat::ChatStore& store, HttpRequest& r) {
  auto page = page_of(r);
  if (!page) co_return page.error();
  auto threads =
      co_await store.threads.page(r.user_id, page->limit, page->offset, store_deadline());
  if (!threads) co_return error_response(threads.error(), r.request_id);
  co_return net::json_response(thread_page_json(threads.value()));
}

asio::awaitable<HttpResponse> create_thread(chat::ChatStore& store, const ThreadEvents& events,
                                            HttpRequest& r) {
  auto fields = thread_fields(r);
  if (!fields) co_return fields.error();
  chat::NewThread thread;
  thread.title = fields->title;
  if (fields->metadata) thread.metadata = *fields->metadata;
  auto created = co_await store.threads.create(r.user_id, std::move(thread), store_deadline());
  if (!created) co_return error_response(created.error(), r.request_id);
  events.created(created.value());
  co_return net::json_response(thread_text(created.value()), 201);
}

asio::awaitable<HttpResponse> get_thread(chat::ChatStore& store, HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto thread = co_await store.threads.get(r.user_id, id.value(), store_deadline());
  if (!thread) co_return error_response(thread.error(), r.request_id);
  co_return net::json_response(thread_text(thread.value()));
}

asio::awaitable<HttpResponse> update_thread(chat::ChatStore& store, const ThreadEvents& events,
                                            HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto fields = thread_fields(r);
  if (!fields) co_return fields.error();
  const bool renamed = fields->title.has_value();
  auto updated = co_await store.threads.update(r.user_id, id.value(), std::move(fields.value()),
                                               store_deadline());
  if (!updated) co_return error_response(updated.error(), r.request_id);
  if (renamed) events.renamed(updated.value());
  co_return net::json_response(thread_text(updated.value()));
}

asio::awaitable<HttpResponse> archive_thread(chat::ChatStore& store, const ThreadEvents& events,
                                             HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto archived = co_await store.threads.archive(r.user_id, id.value(), store_deadline());
  if (!archived) co_return error_response(archived.error(), r.request_id);
  events.deleted(r.user_id, id.value());
  co_return net::json_response(
      nlohmann::json{{"id", id.value()}, {"object", "thread"}, {"archived", true}}.dump());
}

asio::awaitable<HttpResponse> list_messages(chat::ChatStore& store, HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto page = page_of(r);
  if (!page) co_return page.error();
  auto listed = co_await store.messages.list(r.user_id, id.value(), page->limit, page->offset,
                                             store_deadline());
  if (!listed) co_return error_response(listed.error(), r.request_id);
  auto messages = nlohmann::json::array();
  for (const auto& m : listed->messages) messages.push_back(message_json(m));
  co_return net::json_response(nlohmann::json{
      {"messages", messages},
      {"thread_id", id.value()},
      {"total", listed->total},
      {"limit", page->limit},
      {"offset", page->offset}}.dump());
}

asio::awaitable<HttpResponse> post_message(chat::ChatStore& store, HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto body = net::json_object_body(r);
  if (!body) co_return body.error();
  nlohmann::json fields = nlohmann::json::object();
  net::reject_unknown_fields(*body, {"message", "metadata"}, fields);
  chat::NewMessage message;
  if (auto it = body->find("message"); it == body->end() || !it->is_string()) {
    fields["message"] = "required, a string";
  } else if (auto bad = chat::check_content(it->get_ref<const std::string&>(), "message")) {
    fields[bad->field] = bad->reason;
  } else {
    message.content = it->get<std::string>();
  }
  if (auto it = body->find("metadata"); it != body->end()) {
    if (auto bad = chat::check_metadata(*it)) {
      fields[bad->field] = bad->reason;
    } else {
      message.metadata = *it;
    }
  }
  if (!fields.empty()) co_return net::invalid_fields(fields);
  auto added =
      co_await store.messages.add(r.user_id, id.value(), std::move(message), store_deadline());
  if (!added) co_return error_response(added.error(), r.request_id);
  const auto& m = added.value();
  co_return net::json_response(nlohmann::json{{"id", m.id},
                                              {"thread_id", m.thread_id},
                                              {"content", m.content},
                                              {"role", "user"},
                                              {"created_at", m.created_at / 1000}}
                                   .dump(),
                               201);
}

asio::awaitable<HttpResponse> list_runs(chat::ChatStore& store, HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto page = page_of(r);
  if (!page) co_return page.error();
  auto listed =
      co_await store.runs.list(r.user_id, id.value(), page->limit, page->offset, store_deadline());
  if (!listed) co_return error_response(listed.error(), r.request_id);
  auto runs = nlohmann::json::array();
  for (const auto& run : listed->runs) runs.push_back(run_json(run));
  co_return net::json_response(nlohmann::json{
      {"runs", runs},
      {"thread_id", id.value()},
      {"total", listed->total},
      {"limit", page->limit},
      {"offset", page->offset}}.dump());
}

asio::awaitable<HttpResponse> get_run(chat::ChatStore& store, HttpRequest& r) {
  auto id = path_id(r, "run_id", chat::IdKind::run);
  if (!id) co_return id.error();
  auto found = co_await store.runs.get(r.user_id, id.value(), store_deadline());
  if (!found) co_return error_response(found.error(), r.request_id);
  auto out = run_json(found->run);
  auto steps = nlohmann::json::array();
  for (const auto& s : found->steps) steps.push_back(step_json(s));
  out["steps"] = steps;
  co_return net::json_response(out.dump());
}

// POST /api/threads/{id}/runs {user_request}: the request saved as the user's message and a run
// started for it; 202 with the run, whose events reach the user's sockets and GET /api/runs/{id}.
asio::awaitable<HttpResponse> start_run(agents::AgentRuns& runs, HttpRequest& r) {
  auto id = path_id(r, "id", chat::IdKind::thread);
  if (!id) co_return id.error();
  auto body = net::json_object_body(r);
  if (!body) co_return body.error();
  nlohmann::json fields = nlohmann::json::object();
  net::reject_unknown_fields(*body, {"user_request"}, fields);
  std::string request;
  if (auto it = body->find("user_request"); it == body->end() || !it->is_string()) {
    fields["user_request"] = "required, a string";
  } else if (auto bad = chat::check_content(it->get_ref<const std::string&>(), "user_request")) {
    fields[bad->field] = bad->reason;
  } else {
    request = it->get<std::string>();
  }
  if (!fields.empty()) co_return net::invalid_fields(fields);
  agents::RunAsk ask{r.user_id, id.value(), std::move(request), /*chat_message=*/false};
  auto started = co_await runs.start(std::move(ask), store_deadline());
  if (!started) {
    if (started.error().code == chat::ChatErrorCode::conflict) {
      co_return net::json_error(409, "run_active", started.error().message);
    }
    co_return error_response(started.error(), r.request_id);
  }
  const auto& run = *started->run;  // a command always records one
  const nlohmann::json extra = {{"run_id", run.id}};
  switch (started->admission) {
    case agents::Admission::busy: {
      auto busy = net::json_error(
          503, "busy", "every agent slot and the queue are full; the run failed, try again later",
          extra);
      busy.with_header("Retry-After", "30");
      co_return busy;
    }
    case agents::Admission::thread_busy:
      co_return net::json_error(409, "run_active", "the thread already has an active run", extra);
    case agents::Admission::user_busy: {
      auto too_many = net::json_error(
          429, "too_many_runs",
          "you already have the most agent runs one user may have running or waiting; the run "
          "failed, stop one or try again when one ends",
          extra);
      too_many.with_header("Retry-After", "30");
      co_return too_many;
    }
    case agents::Admission::stopping:
      co_return net::json_error(503, "agent_unavailable",
                                "the agent supervisor is not running; the run failed", extra);
    default:
      break;
  }
  co_return net::json_response(nlohmann::json{{"run", run_json(run)},
                                              {"message_id", started->request.id},
                                              {"thread_id", run.thread_id},
                                              {"agent", agents::agent_state(started.value())}}
                                   .dump(),
                               202);
}

// POST /api/runs/{run_id}/cancel: stop_agent over REST.
asio::awaitable<HttpResponse> cancel_run(agents::AgentRuns& runs, HttpRequest& r) {
  auto id = path_id(r, "run_id", chat::IdKind::run);
  if (!id) co_return id.error();
  auto stopped = co_await runs.stop(r.user_id, id.value(), store_deadline());
  if (!stopped) {
    if (stopped.error().code == chat::ChatErrorCode::conflict) {
      co_return net::json_error(409, "run_not_active", stopped.error().message);
    }
    co_return error_response(stopped.error(), r.request_id);
  }
  co_return net::json_response(
      nlohmann::json{{"run", run_json(stopped->run)},
                     {"status", stopped->stopping_here ? "cancelling" : "cancelled"}}
          .dump(),
      202);
}

}  // namespace

void add_chat_routes(net::Router& router, std::shared_ptr<chat::ChatStore> store,
                     std::shared_ptr<const ThreadEvents> events) {
  // Each handler is a plain function of (store, request) — and of the thread events for those
  // that change a thread; the lambda only binds them.
  auto bind = [store](asio::awaitable<HttpResponse> (*handler)(chat::ChatStore&, HttpRequest&)) {
    return [store, handler](HttpRequest& r) { return handler(*store, r); };
  };
  using Changes =
      asio::awaitable<HttpResponse> (*)(chat::ChatStore&, const ThreadEvents&, HttpRequest&);
  auto bind_events = [store, events](Changes handler) {
    return [store, events, handler](HttpRequest& r) { return handler(*store, *events, r); };
  };
  router.add("GET", "/api/threads", bind(list_threads), kChatRead);
  router.add("POST", "/api/threads", bind_events(create_thread), kChatWrite);
  router.add("GET", "/api/threads/{id}", bind(get_thread), kChatRead);
  router.add("PUT", "/api/threads/{id}", bind_events(update_thread), kChatWrite);
  router.add("DELETE", "/api/threads/{id}", bind_events(archive_thread), kChatWrite);
  router.add("GET", "/api/threads/{id}/messages", bind(list_messages), kChatRead);
  router.add("POST", "/api/threads/{id}/messages", bind(post_message), kChatWrite);
  router.add("GET", "/api/threads/{id}/runs", bind(list_runs), kChatRead);
  router.add("GET", "/api/runs/{run_id}", bind(get_run), kChatRead);
}

void add_run_routes(net::Router& router, std::shared_ptr<agents::AgentRuns> runs) {
  // Served only while agent_supervisor is ready: otherwise 503 naming it, and nothing is saved.
  const net::RouteOptions options{
      .needs_component = "agent_supervisor", .authenticated = true, .key_scope = "agent"};
  router.add(
      "POST", "/api/threads/{id}/runs", [runs](HttpRequest& r) { return start_run(*runs, r); },
      options);
  router.add(
      "POST", "/api/runs/{run_id}/cancel", [runs](HttpRequest& r) { return cancel_run(*runs, r); },
      options);
}

}  // namespace netra::api
