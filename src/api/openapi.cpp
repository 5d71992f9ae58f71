// The OpenAPI 3.1 document of every route. Over 400 lines because it is one document: each
// operation is a few lines of data, and splitting it would scatter what a reader compares.
#include "api/openapi.hpp"

#include <algorithm>

#include "core/build_info.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;

json ref(const std::string& schema) {
  return {{"$ref", "#/components/schemas/" + schema}};
}

json content(const json& schema) {
  return {{"application/json", {{"schema", schema}}}};
}

struct Operation {
  Operation(std::string method, std::string path, std::string summary, bool authenticated,
            json request, int status = 200, json response = json::object(),
            std::vector<std::string> query = {})
      : method(std::move(method)),
        path(std::move(path)),
        summary(std::move(summary)),
        authenticated(authenticated),
        request(std::move(request)),
        status(status),
        response(std::move(response)),
        query(std::move(query)) {}
  std::string method;
  std::string path;
  std::string summary;
  bool authenticated;
  json request;                    // a schema, or null for no body
  int status;                      // the success status
  json response;                   // its schema
  std::vector<std::string> query;  // integer query parameters (limit, offset)
};

json thread_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"object", {{"const", "thread"}}},
            {"title", {{"type", {"string", "null"}}, {"maxLength", 200}}},
            {"created_at", {{"type", "integer"}, {"description", "Unix seconds"}}},
            {"updated_at", {{"type", "integer"}, {"description", "Unix seconds"}}},
            {"metadata", {{"type", "object"}}},
            {"message_count", {{"type", "integer"}}}}}};
}

json message_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"thread_id", {{"type", "string"}}},
            {"role", {{"enum", {"user", "assistant", "system"}}}},
            {"content", {{"type", "string"}}},
            {"created_at", {{"type", "integer"}}},
            {"metadata", {{"type", "object"}}},
            {"run_id", {{"type", {"string", "null"}}}}}}};
}

json run_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"thread_id", {{"type", "string"}}},
            {"status",
             {{"enum", {"queued", "running", "completed", "failed", "cancelled", "interrupted"}}}},
            {"user_request", {{"type", "string"}}},
            {"error", {{"type", {"string", "null"}}}},
            {"created_at", {{"type", "integer"}}},
            {"started_at", {{"type", {"integer", "null"}}}},
            {"finished_at", {{"type", {"integer", "null"}}}},
            {"steps",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"seq", {{"type", "integer"}}},
                  {"type", {{"type", "string"}}},
                  {"data", {{"type", "object"}}}}}}}}}}}};
}

json error_schema() {
  return {{"type", "object"},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"properties",
               {{"code", {{"type", "string"}}},
                {"message", {{"type", "string"}}},
                {"fields", {{"type", "object"}}}}}}}}}};
}

json workload_event_schema() {
  const json text = {{"type", "string"}, {"maxLength", 128}};
  const json count = {{"type", "integer"}, {"minimum", 0}};
  return {{"type", "object"},
          {"required",
           {"timestamp", "workload_id", "provider", "model", "input_tokens", "output_tokens",
            "latency_ms", "cost_usd"}},
          {"additionalProperties", false},
          {"properties",
           {{"event_id", text},
            {"timestamp", {{"type", "integer"}, {"description", "Unix milliseconds"}}},
            {"user_id", {{"type", "string"}, {"description", "the caller's id, or left out"}}},
            {"workload_id", text},
            {"provider", text},
            {"model", text},
            {"input_tokens", count},
            {"output_tokens", count},
            {"latency_ms", count},
            {"cost_usd", {{"type", "number"}, {"minimum", 0}}},
            {"status", {{"enum", {"ok", "error"}}}},
            {"error_type", text},
            {"prompt_hash", text},
            {"cached", {{"type", "boolean"}}},
            {"tags",
             {{"type", "object"},
              {"maxProperties", 16},
              {"additionalProperties", {{"type", "string"}}}}}}}};
}

json workload_summary_schema() {
  const json integer = {{"type", "integer"}};
  const json number = {{"type", "number"}};
  const json group = {{"type", "object"},
                      {"properties",
                       {{"key", {{"type", "string"}}},
                        {"requests", integer},
                        {"input_tokens", integer},
                        {"output_tokens", integer},
                        {"total_tokens", integer},
                        {"cost_usd", number},
                        {"latency_ms",
                         {{"type", "object"},
                          {"properties", {{"p50", integer}, {"p95", integer}, {"p99", integer}}}}},
                        {"errors", integer},
                        {"error_rate", number},
                        {"cached", integer},
                        {"cache_rate", number}}}};
  return {{"type", "object"},
          {"properties",
           {{"group_by", {{"enum", {"model", "workload", "provider"}}}},
            {"from", {{"type", "integer"}, {"description", "Unix seconds"}}},
            {"to", {{"type", "integer"}, {"description", "Unix seconds (excluded)"}}},
            {"backend", {{"enum", {"clickhouse", "embedded"}}}},
            {"complete",
             {{"type", "boolean"},
              {"description",
               "false when the embedded store answered while ClickHouse is configured but not "
               "answering: it holds only the events received since then"}}},
            {"partial",
             {{"type", "object"},
              {"description", "only when complete is false: since when, and what is left out"},
              {"properties",
               {{"since", {{"type", "integer"}, {"description", "Unix seconds"}}},
                {"missing", {{"type", "string"}}}}}}},
            {"groups", {{"type", "array"}, {"items", group}}}}}};
}

// GET /api/workloads/summary's query: times as Unix seconds or ISO-8601.
json workload_summary_parameters() {
  const json time = {{"type", "string"},
                     {"description",
                      "Unix seconds or ISO-8601 (2024-06-01, 2024-06-01T12:00:00Z, "
                      "...+02:00 with the + escaped as %2B)"}};
  return {{{"name", "from"}, {"in", "query"}, {"schema", time}},
          {{"name", "to"}, {"in", "query"}, {"schema", time}},
          {{"name", "group_by"},
           {"in", "query"},
           {"schema", {{"enum", {"model", "workload", "provider"}}, {"default", "model"}}}}};
}

json job_schema() {
  const json time = {{"type", "integer"}, {"description", "Unix seconds"}};
  const json optional_time = {{"type", {"integer", "null"}}, {"description", "Unix seconds"}};
  return {
      {"type", "object"},
      {"properties",
       {{"id", {{"type", "string"}}},
        {"kind", {{"type", "string"}, {"examples", {"synthetic_workload"}}}},
        {"state", {{"enum", {"queued", "running", "succeeded", "failed", "cancelled", "dead"}}}},
        {"progress", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
        {"message", {{"type", {"string", "null"}}}},
        {"payload", {{"type", "object"}}},
        {"result", {{"type", {"object", "null"}}}},
        {"error", {{"type", {"string", "null"}}}},
        {"attempts", {{"type", "integer"}}},
        {"max_attempts", {{"type", "integer"}}},
        {"cancel_requested", {{"type", "boolean"}}},
        {"created_at", time},
        {"updated_at", time},
        {"started_at", optional_time},
        {"finished_at", optional_time}}}};
}

json token_pair_schema() {
  return {{"type", "object"},
          {"properties",
           {{"access_token", {{"type", "string"}}},
            {"refresh_token", {{"type", "string"}}},
            {"token_type", {{"const", "Bearer"}}},
            {"expires_in", {{"type", "integer"}}},
            {"user", ref("User")}}}};
}

json object_with(std::initializer_list<std::pair<const char*, json>> properties,
                 std::vector<std::string> required = {}) {
  json props = json::object();
  for (const auto& [name, schema] : properties) props[name] = schema;
  json out = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
  if (!required.empty()) out["required"] = required;
  return out;
}

std::vector<Operation> operations() {
  const json text = {{"type", "string"}};
  const json any_object = {{"type", "object"}};
  const json credentials =
      object_with({{"email", text}, {"password", text}}, {"email", "password"});
  const json thread_body = object_with(
      {{"title", {{"type", {"string", "null"}}, {"maxLength", 200}}}, {"metadata", any_object}});
  return {
      {"GET", "/health/live", "Liveness: the event loop turns", false, nullptr},
      {"GET", "/health/startup", "Start-up progress and report (503 until it is over)", false,
       nullptr},
      {"GET", "/health/ready", "Readiness (503 with reasons while not ready or draining)", false,
       nullptr},
      {"GET", "/health", "Every component's state, breakers, pools and the warnings in force",
       false, nullptr},
      {"GET", "/metrics", "Prometheus metrics (text format)", false, nullptr},
      {"GET", "/openapi.json", "This document", false, nullptr},
      {"GET", "/status", "The status page a person reads (HTML; its data comes from /status/feed)",
       false, nullptr},
      {"GET", "/status/status.css", "The status page's style", false, nullptr},
      {"GET", "/status/status.js", "The status page's script", false, nullptr},
      {"GET", "/status/feed",
       "What the status page shows: components, start-up timeline and critical chain, breakers, "
       "pools, event-loop lag, the job queue, recent warnings and errors. An administrator's "
       "(auth.admin_emails; 403 for others) unless monitoring.status_public",
       true, nullptr, 200,
       object_with({{"status", text},
                    {"ready", {{"type", "boolean"}}},
                    {"reasons", {{"type", "array"}, {"items", text}}},
                    {"startup", any_object},
                    {"breakers", {{"type", "array"}}},
                    {"pools", {{"type", "array"}}},
                    {"loops", {{"type", "array"}}},
                    {"details", any_object},
                    {"problems", {{"type", {"array", "null"}}}}})},
      {"GET", "/api/config/public", "Public configuration: environment, version, features", false,
       nullptr, 200,
       object_with({{"environment", text},
                    {"app_name", text},
                    {"version", text},
                    {"features", any_object}})},
      {"POST", "/auth/register", "Create an account", false, credentials, 201,
       object_with({{"user", ref("User")}})},
      {"POST", "/auth/login", "Sign in: an access and a refresh token (429 when rate limited)",
       false, credentials, 200, token_pair_schema()},
      {"POST", "/auth/refresh",
       "Rotate a refresh token: a new pair; a reused one revokes its family", false,
       object_with({{"refresh_token", text}}, {"refresh_token"}), 200, token_pair_schema()},
      {"POST", "/auth/logout", "Revoke the refresh token's family", false,
       object_with({{"refresh_token", text}}, {"refresh_token"})},
      {"POST", "/auth/dev/login", "Development only (auth.dev_login): sign in without a password",
       false, object_with({{"email", text}}, {"email"}), 200, token_pair_schema()},
      {"GET", "/auth/me", "The caller", true, nullptr, 200, object_with({{"user", ref("User")}})},
      {"GET", "/auth/oidc/{provider}/login",
       "Sign in with an OpenID provider (auth.oidc.<provider>): 302 to its authorization page "
       "(code flow, PKCE S256, state, nonce) and a cookie that binds the callback to this "
       "browser. ?return_to= a path here or a page of server.cors_origins",
       false, nullptr, 302, nullptr},
      {"GET", "/auth/oidc/{provider}/callback",
       "Where the provider sends the browser back (?code&state): the token pair as JSON, or 303 "
       "to return_to with it in the fragment",
       false, nullptr, 200, token_pair_schema()},
      {"GET", "/.well-known/jwks.json", "The public keys that verify access tokens", false,
       nullptr},
      {"POST", "/api/websocket/ticket", "A single-use ticket for the WebSocket handshake", true,
       object_with({{"ttl_seconds",
                     {{"type", "integer"}, {"minimum", 5}, {"maximum", 60}, {"default", 30}}}}),
       200,
       object_with(
           {{"ticket_id", text}, {"expires_at", {{"type", "integer"}}}, {"websocket_url", text}})},
      {"GET",
       "/api/threads",
       "The caller's threads, newest activity first",
       true,
       nullptr,
       200,
       {{"type", "array"}, {"items", ref("Thread")}},
       {"limit", "offset"}},
      {"POST", "/api/threads", "Create a thread", true, thread_body, 201, ref("Thread")},
      {"GET", "/api/threads/{id}", "A thread of the caller (404 for anyone else's)", true, nullptr,
       200, ref("Thread")},
      {"PUT", "/api/threads/{id}", "Rename or re-tag a thread", true, thread_body, 200,
       ref("Thread")},
      {"DELETE", "/api/threads/{id}", "Archive a thread: it leaves lists and reads, its data stays",
       true, nullptr},
      {"GET",
       "/api/threads/{id}/messages",
       "A thread's messages, oldest first",
       true,
       nullptr,
       200,
       object_with({{"messages", {{"type", "array"}, {"items", ref("Message")}}},
                    {"thread_id", text},
                    {"total", {{"type", "integer"}}},
                    {"limit", {{"type", "integer"}}},
                    {"offset", {{"type", "integer"}}}}),
       {"limit", "offset"}},
      {"POST", "/api/threads/{id}/messages",
       "Add the caller's message (committed before the answer)", true,
       object_with({{"message", {{"type", "string"}, {"minLength", 1}}}, {"metadata", any_object}},
                   {"message"}),
       201, ref("Message")},
      {"GET",
       "/api/threads/{id}/runs",
       "A thread's agent runs, newest first",
       true,
       nullptr,
       200,
       object_with({{"runs", {{"type", "array"}, {"items", ref("Run")}}},
                    {"thread_id", text},
                    {"total", {{"type", "integer"}}}}),
       {"limit", "offset"}},
      {"GET", "/api/runs/{run_id}", "A run's status and every event it emitted, in order", true,
       nullptr, 200, ref("Run")},
      {"POST", "/api/threads/{id}/runs",
       "Ask the agent: the request is saved as the caller's message and a run starts (202); its "
       "events reach the caller's sockets and GET /api/runs/{run_id}. 409 run_active while the "
       "thread has an active run, 429 too_many_runs (Retry-After) when the user already has "
       "agents.max_runs_per_user runs running or waiting, 503 busy (Retry-After) when every slot "
       "and the queue are full",
       true,
       object_with({{"user_request", {{"type", "string"}, {"minLength", 1}}}}, {"user_request"}),
       202,
       object_with({{"run", ref("Run")},
                    {"message_id", text},
                    {"thread_id", text},
                    {"agent", {{"enum", {"started", "queued"}}}}})},
      {"POST", "/api/runs/{run_id}/cancel",
       "Stop a queued or running run: it ends cancelled before its next step (status "
       "cancelling when this instance runs it); 409 run_not_active once it has ended",
       true, nullptr, 202,
       object_with({{"run", ref("Run")}, {"status", {{"enum", {"cancelling", "cancelled"}}}}})},
      {"POST",
       "/api/workloads/events",
       "Store 1 to 10,000 of the caller's workload events (answered once stored; 400 names the "
       "index and field of every bad one; 429 with Retry-After over the ingest rate or queue)",
       true,
       {{"type", "array"}, {"minItems", 1}, {"maxItems", 10000}, {"items", ref("WorkloadEvent")}},
       200,
       object_with({{"accepted", {{"type", "integer"}}},
                    {"backend", {{"enum", {"clickhouse", "embedded"}}}}})},
      {"GET", "/api/workloads/summary",
       "Requests, tokens, cost, latency percentiles, error and cache rates per model, workload "
       "or provider (default: the last 30 days by model), and the backend that answered",
       true, nullptr, 200, ref("WorkloadSummary")},
      {"GET", "/api/generation/templates",
       "The workload profiles and named templates synthetic data can be generated from, and the "
       "limits of a generation job",
       true, nullptr, 200,
       object_with({{"templates", {{"type", "array"}}},
                    {"workloads", {{"type", "array"}}},
                    {"limits", any_object}})},
      {"POST", "/api/generation/synthetic",
       "Queue a job that writes synthetic workload events for the caller (202); its progress "
       "reaches the caller's sockets as generation_started, generation_progress, "
       "generation_completed or generation_failed. 400 names a bad field, 429 too_many_jobs "
       "(Retry-After) with 3 jobs queued or running; an Idempotency-Key header finds the job a "
       "retried request made",
       true,
       object_with({{"template", text},
                    {"workloads", {{"type", "array"}, {"items", text}, {"maxItems", 16}}},
                    {"days", {{"type", "integer"}, {"minimum", 1}, {"maximum", 365}}},
                    {"events", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000000}}},
                    {"seed", {{"type", "integer"}, {"minimum", 0}}}}),
       202, object_with({{"job", ref("Job")}})},
      {"GET", "/api/jobs", "The caller's jobs, newest first; ?kind=, ?state=, ?limit= (1-100)",
       true, nullptr, 200, object_with({{"jobs", {{"type", "array"}, {"items", ref("Job")}}}})},
      {"GET", "/api/jobs/{id}", "A job of the caller (404 for anyone else's)", true, nullptr, 200,
       object_with({{"job", ref("Job")}})},
      {"GET", "/api/runs/{run_id}/events",
       "The run's events as server-sent events (text/event-stream): each event's id is its seq, "
       "Last-Event-ID (or ?last_event_id=) resumes exactly after it — the stored steps, then "
       "live — and the stream ends after the run's last event; a comment every "
       "server.event_stream_heartbeat_ms",
       true, nullptr},
      {"GET", "/api/threads/{id}/export",
       "The whole conversation as a download: ?format=markdown (text/markdown, the default) or "
       "json ({thread, messages, total, truncated}); at most 5,000 messages",
       true, nullptr},
      {"GET", "/api/events",
       "Every live event of the caller as server-sent events (text/event-stream): runs, thread "
       "changes, job progress; 429 too_many_streams past server.event_streams_per_user",
       true, nullptr},
      {"POST", "/api/keys",
       "Make an API key {name, scopes: [ingest|read|agent]}; the answer holds the key, shown only "
       "this once. Needs an access token; 409 too_many_keys past auth.api_keys_per_user",
       true,
       object_with({{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
                    {"scopes",
                     {{"type", "array"},
                      {"minItems", 1},
                      {"items", {{"enum", {"ingest", "read", "agent"}}}}}}}),
       201, object_with({{"key", ref("ApiKey")}})},
      {"GET", "/api/keys", "The caller's API keys (never the keys themselves), newest first", true,
       nullptr, 200,
       object_with({{"keys", {{"type", "array"}, {"items", ref("ApiKey")}}},
                    {"scopes", {{"type", "array"}, {"items", {{"type", "string"}}}}}})},
      {"GET", "/api/catalog/models",
       "The model catalog the agents price with: each model's vendor, family, list prices in USD "
       "per million tokens and the date they were checked, its cheaper model and fallback, and "
       "its source (catalog, or administrator)",
       true, nullptr, 200,
       object_with({{"models", {{"type", "array"}, {"items", ref("CatalogModel")}}}})},
      {"PUT", "/api/catalog/models/{id}",
       "Set one catalog entry (administrators only: auth.admin_emails; 403 not_an_administrator "
       "for others), stored for every instance and used by the next run; 400 "
       "invalid_catalog_entry names what is wrong",
       true, ref("CatalogModel"), 200, ref("CatalogModel")},
      {"DELETE", "/api/keys/{id}",
       "Delete an API key of the caller: refused from the next request on, on every instance", true,
       nullptr, 200, object_with({{"deleted", {{"type", "string"}}}})},
      {"POST", "/api/jobs/{id}/cancel",
       "Cancel a job: a queued one at once (200), a running one at its next chunk (202); 409 "
       "job_ended once it ended otherwise",
       true, nullptr, 202, object_with({{"job", ref("Job")}})},
      {"POST",
       "/mcp",
       "The Model Context Protocol server (Streamable HTTP, MCP 2025-11-25, 2025-06-18, "
       "2025-03-26): one JSON-RPC message; Accept must name application/json and "
       "text/event-stream. initialize answers with Mcp-Session-Id, which every later message "
       "carries. Tools: get_spend_summary, find_savings (an event stream with progress), "
       "ingest_events, list_threads, get_report; resources: the caller's reports "
       "(netra://reports/{run_id}). An access token, or an API key with the agent scope",
       true,
       {{"type", "object"}},
       200,
       {{"type", "object"}}},
      {"DELETE", "/mcp", "End the MCP session named by Mcp-Session-Id: 204, then 404 for it", true,
       nullptr, 204, nullptr},
  };
}

json build_document() {
  json paths = json::object();
  for (const auto& op : operations()) {
    json operation = {{"summary", op.summary}};
    json parameters = json::array();
    for (const char* name : {"id", "run_id", "provider"}) {
      if (op.path.find(std::string("{") + name + "}") != std::string::npos) {
        parameters.push_back(
            {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
      }
    }
    for (const auto& name : op.query) {
      parameters.push_back({{"name", name}, {"in", "query"}, {"schema", {{"type", "integer"}}}});
    }
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (!op.request.is_null()) {
      operation["requestBody"] = {{"required", true}, {"content", content(op.request)}};
    }
    json success = {{"description", "success"}};
    if (op.status != 204) success["content"] = content(op.response);  // 204 has no body
    json responses = {{std::to_string(op.status), std::move(success)}};
    responses["default"] = {{"description", "an error"}, {"content", content(ref("Error"))}};
    if (op.authenticated) {
      operation["security"] = json::array({{{"bearer", json::array()}}});
      responses["401"] = {{"description", "no valid access token"},
                          {"content", content(ref("Error"))}};
    }
    operation["responses"] = responses;
    std::string method = op.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    paths[op.path][method] = operation;
  }
  paths["/api/workloads/summary"]["get"]["parameters"] = workload_summary_parameters();
  paths["/auth/oidc/{provider}/login"]["get"]["parameters"].push_back(
      {{"name", "return_to"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
  for (const char* name : {"code", "state", "error", "error_description"}) {
    paths["/auth/oidc/{provider}/callback"]["get"]["parameters"].push_back(
        {{"name", name}, {"in", "query"}, {"schema", {{"type", "string"}}}});
  }
  paths["/auth/oidc/{provider}/login"]["get"]["responses"].erase("302");
  paths["/auth/oidc/{provider}/login"]["get"]["responses"]["302"] = {
      {"description", "to the provider (Location), with Set-Cookie"}};
  paths["/api/threads/{id}/export"]["get"]["parameters"].push_back(
      {{"name", "format"}, {"in", "query"}, {"schema", {{"enum", {"markdown", "json"}}}}});
  paths["/api/threads/{id}/export"]["get"]["responses"]["200"] = {
      {"description", "a download (Content-Disposition: attachment)"},
      {"content",
       {{"text/markdown", {{"schema", {{"type", "string"}}}}},
        {"application/json", {{"schema", {{"type", "object"}}}}}}}};
  for (const char* path : {"/api/runs/{run_id}/events", "/api/events"}) {
    paths[path]["get"]["responses"]["200"] = {
        {"description", "an event stream: `event:` the type, `data:` the event's JSON"},
        {"content", {{"text/event-stream", {{"schema", {{"type", "string"}}}}}}}};
  }
  paths["/ws"]["get"] = {
      {"summary",
       "WebSocket: authenticate with Authorization: Bearer, the subprotocol jwt.<token>, or "
       "?ticket=<id>; JSON messages {type, payload}"},
      {"description",
       "Client messages: ping, user_message (or chat_message) {thread_id?, message}, "
       "start_agent {thread_id?, user_request}, stop_agent {run_id}, switch_thread {thread_id}, "
       "create_thread {title?, metadata?}, list_threads {limit?, offset?}, rename_thread "
       "{thread_id, title}, delete_thread {thread_id}, get_thread_history {thread_id, before?, "
       "limit?}. Server messages: connection_established, pong, message_saved, thread_switched, "
       "thread_list {threads, total, limit, offset}, thread_history {thread_id, messages, "
       "has_more, total}, thread_created {thread}, thread_renamed {thread} and thread_deleted "
       "{thread_id} (on every socket of the user, for REST changes too), agent_stopped, error "
       "{code, message, field?}, and run events {type, run_id, thread_id, agent_name, timestamp, "
       "seq, data} of type agent_started, agent_thinking, tool_executing, tool_completed, "
       "agent_response_chunk {index, offset, text, last?} (the report as it is written: a "
       "section each, the model's summary as it streams; each text goes `offset` bytes into the "
       "report, replacing what was sent from there; the last chunk has last: true), "
       "agent_completed, agent_error; and a synthetic-data job's {type, data} of "
       "type "
       "generation_started, generation_progress {job_id, progress, events_written, eta_ms}, "
       "generation_completed {job_id, events, cost_usd}, generation_failed {job_id, code, "
       "message}. A refused credential gets error AUTH_FAILED and close "
       "1008; a message over 64 KiB close 1009; a client that does not read close 1013; "
       "shutdown close 1001."},
      {"parameters",
       {{{"name", "ticket"},
         {"in", "query"},
         {"required", false},
         {"schema", {{"type", "string"}}}}}},
      {"responses",
       {{"101", {{"description", "switching protocols"}}},
        {"426",
         {{"description", "a plain request: /ws needs the WebSocket upgrade"},
          {"content", content(ref("Error"))}}},
        {"503",
         {{"description", "the websocket component is not ready"},
          {"content", content(ref("Error"))}}}}}};
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Netra API"},
        {"version", core::kVersion},
        {"description", "The backend of the Netra AI-spend optimization platform."}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearer",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "JWT access token, or an API key nk_…"},
            {"description",
             "An access token from /auth/login calls every route. An API key (POST /api/keys) "
             "calls the routes its scopes reach: ingest POST /api/workloads/events; read the GET "
             "routes of threads, runs, workloads and jobs; agent the routes that change threads "
             "and start or cancel runs. Elsewhere it gets 403 insufficient_scope naming the "
             "scope, or 403 api_key_not_allowed (keys, tickets, jobs it would start)."}}}}},
        {"schemas",
         {{"Thread", thread_schema()},
          {"Message", message_schema()},
          {"Run", run_schema()},
          {"WorkloadEvent", workload_event_schema()},
          {"WorkloadSummary", workload_summary_schema()},
          {"Job", job_schema()},
          {"ApiKey",
           object_with(
               {{"id", {{"type", "string"}}},
                {"name", {{"type", "string"}}},
                {"prefix", {{"type", "string"}, {"description", "nk_ and 8 characters"}}},
                {"scopes", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                {"created_at", {{"type", "integer"}}},
                {"last_used_at",
                 {{"type", {"integer", "null"}}, {"description", "Unix seconds, to the minute"}}},
                {"key",
                 {{"type", "string"},
                  {"description", "the key itself: only in POST /api/keys's answer"}}}})},
          {"User", object_with({{"id", {{"type", "string"}}}, {"email", {{"type", "string"}}}})},
          {"CatalogModel",
           object_with({{"id", {{"type", "string"}}},
                        {"vendor", {{"type", "string"}}},
                        {"family", {{"type", "string"}}},
                        {"input_usd_per_mtok", {{"type", "number"}}},
                        {"output_usd_per_mtok", {{"type", "number"}}},
                        {"cheaper", {{"type", "string"}}},
                        {"fallback", {{"type", "string"}}},
                        {"checked", {{"type", "string"}, {"description", "YYYY-MM-DD"}}},
                        {"aliases", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                        {"source", {{"type", "string"}, {"enum", {"catalog", "administrator"}}}}},
                       {"vendor", "input_usd_per_mtok", "output_usd_per_mtok"})},
          {"Error", error_schema()}}}}}};
}

}  // namespace

nlohmann::json openapi_document() {
  return build_document();
}

std::vector<std::string> undocumented_routes(const net::Router& router, const json& document) {
  std::vector<std::string> missing;
  const auto& paths = document["paths"];
  for (const auto& route : router.routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    const auto path = paths.find(route.pattern);
    if (path == paths.end() || !path->contains(method)) {
      missing.push_back(route.method + " " + route.pattern);
    }
  }
  return missing;
}

void add_openapi_route(net::Router& router) {
  router.add("GET", "/openapi.json", [](net::HttpRequest&) -> net::HttpResponse {
    static const std::string text = openapi_document().dump();
    return net::json_response(text);
  });
}

}  // namespace netra::api
