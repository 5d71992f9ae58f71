#include "api/mcp/mcp_routes.hpp"

#include "api/mcp/find_savings.hpp"
#include "api/mcp/mcp_session.hpp"
#include "auth/revoked_sessions.hpp"
#include "core/build_info.hpp"
#include "core/clock.hpp"

namespace netra::api::mcp {
namespace {

using net::HttpRequest;
using net::HttpResponse;

// The transport's own errors (the SDKs use these codes for them).
constexpr int kBadRequest = -32000;
constexpr int kSessionNotFound = -32001;

HttpResponse rpc_answer(const json& message, int status = 200) {
  return net::json_response(message.dump(), status);
}

HttpResponse transport_error(int status, int code, std::string message) {
  return rpc_answer({{"jsonrpc", "2.0"},
                     {"id", nullptr},
                     {"error", {{"code", code}, {"message", std::move(message)}}}},
                    status);
}

bool accepts(std::string_view accept, std::string_view type) {
  return accept.find(type) != std::string_view::npos ||
         accept.find("*/*") != std::string_view::npos;
}

// Why a later request (not initialize) cannot go on in its session, as the answer; nullopt: it can.
std::optional<HttpResponse> refuse_session(const HttpRequest& r,
                                           const auth::RevokedSessions& revoked) {
  const auto session = r.header("mcp-session-id");
  if (session.empty()) {
    return transport_error(400, kBadRequest,
                           "Bad Request: the Mcp-Session-Id header is required; send initialize "
                           "first and then the session id it answers with");
  }
  if (!is_session_of(session, r.user_id) ||
      revoked.revoked(revocation_key(session), core::unix_seconds_now())) {
    return transport_error(404, kSessionNotFound,
                           "Session not found: it ended, or it is not a session this server "
                           "opened for you; send initialize again without Mcp-Session-Id");
  }
  if (auto refused = refuse_version(r.header("mcp-protocol-version"))) {
    return transport_error(400, kBadRequest, "Bad Request: " + *refused);
  }
  return std::nullopt;
}

json initialize_result(const boost::json::object& params) {
  const auto* version = params.if_contains("protocolVersion");
  const std::string asked = version && version->is_string() ? version->get_string().c_str() : "";
  return {{"protocolVersion", negotiate_version(asked)},
          {"capabilities",
           {{"tools", {{"listChanged", false}}},
            {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
          {"serverInfo", {{"name", "netra"}, {"title", "Netra"}, {"version", core::kVersion}}},
          {"instructions",
           "Netra analyses the caller's AI workload data (their LLM calls: models, tokens, cost, "
           "latency). get_spend_summary shows where the money goes; find_savings runs the "
           "optimisation agent on a goal in plain words and returns its report; ingest_events "
           "sends more data. Reports stay readable as resources and with get_report."}};
}

// The progressToken of a request's _meta (a string or an integer), or null.
json progress_token(const boost::json::object& params) {
  const auto* meta = params.if_contains("_meta");
  if (meta == nullptr || !meta->is_object()) return nullptr;
  const auto* token = meta->get_object().if_contains("progressToken");
  if (token == nullptr) return nullptr;
  if (token->is_string()) return std::string(token->get_string());
  if (token->is_int64()) return token->get_int64();
  if (token->is_uint64()) return token->get_uint64();
  return nullptr;
}

json report_templates() {
  return {{"resourceTemplates", json::array({{{"uriTemplate", "netra://reports/{run_id}"},
                                              {"name", "report"},
                                              {"title", "An agent run's report"},
                                              {"mimeType", "text/markdown"}}})}};
}

asio::awaitable<HttpResponse> answer_of(core::Result<json, RpcFailure> outcome, const json& id) {
  if (!outcome) co_return rpc_answer(rpc_error(id, outcome.error().code, outcome.error().message));
  co_return rpc_answer(rpc_result(id, std::move(outcome.value())));
}

asio::awaitable<HttpResponse> request(std::shared_ptr<const McpServices> services,
                                      RpcMessage message, HttpRequest& r) {
  const auto& id = message.id;
  const auto& method = message.method;
  if (method == "ping") co_return rpc_answer(rpc_result(id, json::object()));
  if (method == "tools/list") co_return rpc_answer(rpc_result(id, tool_list()));
  if (method == "tools/call") {
    const auto* name = message.params.if_contains("name");
    if (name == nullptr || !name->is_string()) {
      co_return rpc_answer(rpc_error(id, RpcError::invalid_params, "\"name\" is required"));
    }
    boost::json::object arguments(message.params.storage());  // the message's arena
    if (auto* given = message.params.if_contains("arguments"); given && !given->is_null()) {
      if (!given->is_object()) {
        co_return rpc_answer(
            rpc_error(id, RpcError::invalid_params, "\"arguments\" must be an object"));
      }
      arguments = std::move(given->get_object());
    }
    const std::string tool(name->get_string());
    if (is_long_tool(tool)) {
      co_return co_await find_savings(services, id, std::move(arguments),
                                      progress_token(message.params), r);
    }
    auto called = co_await call_tool(*services, tool, std::move(arguments), r);
    if (!called) co_return rpc_answer(rpc_error(id, called.error().code, called.error().message));
    co_return net::json_response(rpc_result_text(id, std::move(called.value())));
  }
  if (method == "resources/list")
    co_return co_await answer_of(co_await list_resources(*services, r), id);
  if (method == "resources/read") {
    co_return co_await answer_of(co_await read_resource(*services, std::move(message.params), r),
                                 id);
  }
  if (method == "resources/templates/list")
    co_return rpc_answer(rpc_result(id, report_templates()));
  co_return rpc_answer(
      rpc_error(id, RpcError::method_not_found, "Method not found: " + method.substr(0, 64)));
}

asio::awaitable<HttpResponse> post(std::shared_ptr<const McpServices> services,
                                   const auth::RevokedSessions& revoked, HttpRequest& r) {
  const auto accept = r.header("accept");
  if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
    co_return transport_error(406, kBadRequest,
                              "Not Acceptable: the client must accept both application/json and "
                              "text/event-stream");
  }
  if (!r.header("content-type").starts_with("application/json")) {
    co_return transport_error(415, kBadRequest,
                              "Unsupported Media Type: the body must be application/json");
  }
  auto parsed = parse_message(r.body);
  if (!parsed) co_return rpc_answer(parsed.error(), 400);
  auto& message = parsed.value();
  if (message.kind == RpcMessage::Kind::request && message.method == "initialize") {
    HttpResponse answer = rpc_answer(rpc_result(message.id, initialize_result(message.params)));
    answer.with_header("Mcp-Session-Id", new_session_id(r.user_id));
    co_return answer;
  }
  if (auto refused = refuse_session(r, revoked)) co_return std::move(*refused);
  if (message.kind != RpcMessage::Kind::request) {
    // notifications/initialized, notifications/cancelled (a run goes on: it is stopped with
    // POST /api/runs/{id}/cancel), and answers to requests this server never sends.
    HttpResponse accepted;
    accepted.status = 202;
    co_return accepted;
  }
  co_return co_await request(std::move(services), std::move(message), r);
}

asio::awaitable<HttpResponse> end_session(auth::RevokedSessions& revoked, HttpRequest& r) {
  const auto session = r.header("mcp-session-id");
  if (session.empty()) {
    co_return transport_error(400, kBadRequest,
                              "Bad Request: the Mcp-Session-Id header is required");
  }
  if (!is_session_of(session, r.user_id)) {
    co_return transport_error(404, kSessionNotFound, "Session not found");
  }
  revoked.revoke(revocation_key(session),
                 core::unix_seconds_now() + kEndedSessionRefusedForSeconds);
  HttpResponse ended;
  ended.status = 204;
  co_return ended;
}

}  // namespace

void add_mcp_routes(net::Router& router, std::shared_ptr<const McpServices> services,
                    auth::RevokedSessions& revoked) {
  net::RouteOptions route;
  route.needs_component = "api";
  route.authenticated = true;
  route.key_scope = "agent";
  // A browser page of an origin server.cors_origins does not list is refused, the server's own
  // host included: the transport's defence against DNS rebinding.
  route.event_stream = true;  // a long call answers with one
  route.listed_origins_only = true;
  router.add(
      "POST", "/mcp", [services, &revoked](HttpRequest& r) { return post(services, revoked, r); },
      route);
  router.add(
      "DELETE", "/mcp", [&revoked](HttpRequest& r) { return end_session(revoked, r); }, route);
}

}  // namespace netra::api::mcp
