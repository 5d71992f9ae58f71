#include "api/mcp/mcp_tools.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <functional>

#include "analytics/workload_event.hpp"
#include "chat/chat_store.hpp"
#include "net/json_error.hpp"
#include "net/route_call.hpp"

namespace netra::api::mcp {
namespace {

constexpr std::chrono::seconds kStoreBudget{5};
constexpr int64_t kReportsListed = 50;
constexpr std::string_view kReportUriPrefix = "netra://reports/";

json time_argument(const char* what) {
  return {
      {"type", json::array({"string", "integer"})},
      {"description", fmt::format("{}: Unix seconds, or ISO-8601 (2026-06-01T00:00:00Z)", what)}};
}

json object_schema(json properties, json required = json::array()) {
  json schema = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

json tool(const char* name, const char* title, const char* description, json input,
          json annotations) {
  annotations["title"] = title;
  return {{"name", name},
          {"title", title},
          {"description", description},
          {"inputSchema", std::move(input)},
          {"annotations", std::move(annotations)}};
}

core::Result<json, RpcFailure> failure(RpcError code, std::string message) {
  return RpcFailure{code, std::move(message)};
}

// A result whose text is `text`, with `structured` as its structured content.
json text_result(std::string text, json structured) {
  json result = {{"content", json::array({{{"type", "text"}, {"text", std::move(text)}}})}};
  if (!structured.is_null()) result["structuredContent"] = std::move(structured);
  return result;
}

// A checked argument (a string or an integer) as the text a query parameter would carry.
std::string argument_text(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return boost::json::serialize(value);
}

// "/api/threads?limit=…": the path with the given arguments as its query, each value
// percent-encoded but for RFC 3986's unreserved characters, which any reader of a query decodes
// alike; the names are ours and need none. (Appending to a boost::urls::url did the same at four
// times the cost.)
std::string target_with(std::string_view path, const boost::json::object& arguments,
                        std::initializer_list<const char*> names) {
  std::string target;
  target.reserve(path.size() + 64);
  target.append(path);
  char separator = '?';
  for (const char* name : names) {
    if (const auto* value = arguments.if_contains(name)) {
      target.append(1, separator).append(name).append(1, '=');
      separator = '&';
      boost::urls::encode(argument_text(*value), boost::urls::unreserved_chars, {},
                          boost::urls::string_token::append_to(target));
    }
  }
  return target;
}

// get_spend_summary: what GET /api/workloads/summary answers, read through the route's own reader
// (api::SummaryReader) rather than call_route — its arguments are the route's query already, and
// writing them as one to be read back was a fifth of what the tool added to the route. The route's
// gate and an API key's scope are checked first, as call_route does.
asio::awaitable<std::string> spend_summary(const McpServices& services,
                                           const boost::json::object& arguments,
                                           const net::HttpRequest& caller) {
  const auto route = services.router.match("GET", kSummaryPath);
  if (!services.summary || route.outcome != net::Router::Outcome::found) {
    co_return result_of_route(
        net::json_error(404, "not_found", "workload analytics is not served here"));
  }
  if (auto refused = net::refuse_call(*route.route, services.availability, caller)) {
    co_return result_of_route(*refused);
  }
  SummaryAsk ask;
  if (const auto* from = arguments.if_contains("from")) ask.from = argument_text(*from);
  if (const auto* to = arguments.if_contains("to")) ask.to = argument_text(*to);
  if (const auto* group_by = arguments.if_contains("group_by")) {
    ask.group_by = argument_text(*group_by);
  }
  const auto answer = co_await services.summary(caller, std::move(ask));
  co_return result_of_route(answer);
}

json report_json(const chat::Report& report) {
  return {{"run_id", report.run_id},
          {"thread_id", report.thread_id},
          {"message_id", report.message_id},
          {"request", report.request},
          {"created_at", report.created_at / 1000},
          {"uri", report_uri(report.run_id)}};
}

asio::awaitable<std::string> get_report(const McpServices& services,
                                        const boost::json::object& arguments,
                                        const net::HttpRequest& caller) {
  if (auto bad = check_arguments(arguments, {{"run_id", ArgumentRule::Type::string}}, {"run_id"})) {
    co_return tool_error(*bad).dump();
  }
  const std::string run_id(arguments.at("run_id").get_string());
  auto found = co_await services.chat->reports.of_run(caller.user_id, run_id,
                                                      core::Deadline::after(kStoreBudget));
  if (!found) {
    const auto& error = found.error();
    if (error.code == chat::ChatErrorCode::not_found) {
      co_return tool_error("no report for run " + run_id.substr(0, 64) +
                           ": it is not a run of yours, or it has not completed (yet)")
          .dump();
    }
    if (error.code == chat::ChatErrorCode::invalid) {
      co_return tool_error("\"" + error.field + "\" " + error.message).dump();
    }
    co_return tool_error("the report could not be read now; try again shortly").dump();
  }
  co_return text_result(std::move(found->content), report_json(found.value())).dump();
}

// A 2xx JSON body as a CallToolResult: the body escaped as the text block, and the body itself (an
// array under `array_key`) as the structured content.
std::string wrap_success(std::string_view body, std::string_view array_key) {
  std::string result;
  result.reserve(2 * body.size() + 128 + kRpcEnvelopeRoom);
  result.append(R"({"content":[{"text":)");
  result.append(boost::json::serialize(boost::json::string_view(body.data(), body.size())));
  result.append(R"(,"type":"text"}],"structuredContent":)");
  if (array_key.empty()) {
    result.append(body);
  } else {
    result.append(R"({")").append(array_key).append(R"(":)").append(body).append("}");
  }
  result.append("}");
  return result;  // not the reference append returns: that would copy
}

// wrap_success, remembered: a client polling a tool gets the route's cached body again and again,
// and escaping it was the largest part of what the tool added to the route (a sixth of the
// server's time per call). The answer is a function of the body and the key alone, so a slot is
// found by the body's size and ends, and reused only when the whole body and key match: it can
// never hand one caller another's answer. Per thread, so without a lock; small bodies only.
std::string wrapped_success(std::string_view body, std::string_view array_key) {
  constexpr size_t kLargestKept = 4096;
  constexpr size_t kSampled = 48;
  if (body.size() > kLargestKept) return wrap_success(body, array_key);
  struct Wrapped {
    std::string body, array_key, result;
  };
  thread_local std::array<Wrapped, 32> kept;
  const auto sample = std::min(body.size(), kSampled);
  const auto spot = std::hash<std::string_view>{}(body.substr(0, sample)) ^
                    std::hash<std::string_view>{}(body.substr(body.size() - sample)) ^
                    (body.size() * 0x9e3779b97f4a7c15ULL);
  auto& slot = kept[spot % kept.size()];
  if (slot.body != body || slot.array_key != array_key) {
    slot.result = wrap_success(body, array_key);
    slot.body.assign(body);
    slot.array_key.assign(array_key);
  }
  // With room for the JSON-RPC envelope that rpc_result_text writes around it in place.
  std::string result;
  result.reserve(slot.result.size() + kRpcEnvelopeRoom);
  result.append(slot.result);
  return result;
}

}  // namespace

std::optional<std::string> check_arguments(const boost::json::object& arguments,
                                           std::initializer_list<ArgumentRule> rules,
                                           std::initializer_list<const char*> required) {
  for (const auto& [key, value] : arguments) {
    const auto rule = std::find_if(rules.begin(), rules.end(),
                                   [&](const ArgumentRule& r) { return key == r.name; });
    if (rule == rules.end()) {
      return fmt::format("unknown argument \"{}\"", std::string_view(key).substr(0, 64));
    }
    using Type = ArgumentRule::Type;
    const bool integer = value.is_int64() || value.is_uint64();
    const bool fits = (rule->type == Type::string && value.is_string()) ||
                      (rule->type == Type::integer && integer) ||
                      (rule->type == Type::string_or_integer && (value.is_string() || integer)) ||
                      (rule->type == Type::array && value.is_array());
    if (!fits) {
      static constexpr const char* kTypeNames[] = {"a string", "an integer",
                                                   "a string or an integer", "an array"};
      return fmt::format("\"{}\" must be {}", std::string_view(key),
                         kTypeNames[static_cast<int>(rule->type)]);
    }
  }
  for (const char* name : required) {
    if (!arguments.contains(name)) return fmt::format("\"{}\" is required", name);
  }
  return std::nullopt;
}

json tool_list() {
  const json read_only = {{"readOnlyHint", true}, {"openWorldHint", false}};
  json tools = json::array();
  tools.push_back(tool(
      "get_spend_summary", "Spend summary",
      "The caller's AI spend over a window (default: the last 30 days), per model, workload or "
      "provider: requests, tokens, cost and latency of each. The answer says which store served "
      "it and whether it is complete.",
      object_schema({{"from", time_argument("Start of the window")},
                     {"to", time_argument("End of the window (default: now)")},
                     {"group_by",
                      {{"type", "string"},
                       {"enum", {"model", "workload", "provider"}},
                       {"description", "How to group the spend (default: model)"}}}}),
      read_only));
  tools.push_back(tool(
      "find_savings", "Find savings",
      "Runs the optimisation agent on a request in plain words (\"cut my LLM costs by 30% "
      "without hurting latency\"): it reads the caller's workload data and answers with a report "
      "of recommendations, their savings and a plan. Takes seconds; progress is reported when "
      "the call carries a progressToken. The report is kept: get_report reads it again.",
      object_schema(
          {{"request",
            {{"type", "string"},
             {"minLength", 1},
             {"maxLength", 32768},
             {"description", "What to optimise, in plain words"}}},
           {"thread_id",
            {{"type", "string"},
             {"description", "A thread of the caller's to continue (default: a new thread)"}}}},
          {"request"}),
      {{"readOnlyHint", false}, {"destructiveHint", false}, {"openWorldHint", false}}));
  tools.push_back(tool(
      "ingest_events", "Ingest workload events",
      "Stores a batch of the caller's LLM calls (1 to 10,000 events in at most 1 MiB of JSON "
      "here; POST /api/workloads/events takes larger batches). Each event: timestamp (Unix ms), "
      "workload_id, provider, model, input_tokens, output_tokens, latency_ms, cost_usd, status "
      "(\"ok\" or \"error\"); optionally error_type, prompt_hash, cached, tags. A batch is "
      "stored whole or refused whole, with each invalid field named.",
      object_schema({{"events",
                      {{"type", "array"},
                       {"minItems", 1},
                       {"maxItems", analytics::kMaxBatchEvents},
                       {"items", {{"type", "object"}}},
                       {"description", "The events, as POST /api/workloads/events takes them"}}}},
                    {"events"}),
      {{"readOnlyHint", false},
       {"destructiveHint", false},
       {"idempotentHint", false},
       {"openWorldHint", false}}));
  tools.push_back(tool("list_threads", "List threads",
                       "The caller's conversation threads, most recently active first.",
                       object_schema({{"limit",
                                       {{"type", "integer"},
                                        {"minimum", 1},
                                        {"maximum", 100},
                                        {"description", "How many (default 20)"}}},
                                      {"offset",
                                       {{"type", "integer"},
                                        {"minimum", 0},
                                        {"description", "How many to skip (default 0)"}}}}),
                       read_only));
  tools.push_back(tool(
      "get_report", "Get a report",
      "The report a completed agent run wrote (markdown), by the run's id.",
      object_schema({{"run_id", {{"type", "string"}, {"description", "The run's id (run_…)"}}}},
                    {"run_id"}),
      read_only));
  return {{"tools", std::move(tools)}};
}

bool is_long_tool(std::string_view name) {
  return name == "find_savings";
}

asio::awaitable<core::Result<std::string, RpcFailure>> call_tool(const McpServices& services,
                                                                 std::string name,
                                                                 boost::json::object arguments,
                                                                 const net::HttpRequest& caller) {
  using Type = ArgumentRule::Type;
  if (name == "get_spend_summary") {
    if (auto bad = check_arguments(arguments, {{"from", Type::string_or_integer},
                                               {"to", Type::string_or_integer},
                                               {"group_by", Type::string}})) {
      co_return tool_error(*bad).dump();
    }
    co_return co_await spend_summary(services, arguments, caller);
  }
  if (name == "list_threads") {
    if (auto bad =
            check_arguments(arguments, {{"limit", Type::integer}, {"offset", Type::integer}})) {
      co_return tool_error(*bad).dump();
    }
    net::RouteCall call{"GET", target_with("/api/threads", arguments, {"limit", "offset"})};
    const auto answer =
        co_await net::call_route(services.router, services.availability, std::move(call), caller);
    co_return result_of_route(answer, "threads");
  }
  if (name == "ingest_events") {
    if (auto bad = check_arguments(arguments, {{"events", Type::array}}, {"events"})) {
      co_return tool_error(*bad).dump();
    }
    net::RouteCall call{"POST", "/api/workloads/events",
                        boost::json::serialize(arguments.at("events"))};
    const auto answer =
        co_await net::call_route(services.router, services.availability, std::move(call), caller);
    co_return result_of_route(answer);
  }
  if (name == "get_report") co_return co_await get_report(services, arguments, caller);
  RpcFailure unknown{RpcError::invalid_params, "Unknown tool: " + name.substr(0, 64)};
  co_return unknown;
}

std::string result_of_route(const net::HttpResponse& answer, const char* array_key) {
  const bool ok = answer.status >= 200 && answer.status < 300;
  const auto& body = answer.body;
  const bool object = body.starts_with('{');
  const bool array = body.starts_with('[');
  if (ok && (object || array)) {
    return object ? wrapped_success(body, "") : wrapped_success(body, array_key);
  }
  // A refusal (or a body that is not JSON): read for its message, rare enough to parse.
  auto parsed = json::parse(body, nullptr, false);
  json result = {{"content", json::array()}};
  if (!ok) {
    std::string why = fmt::format("HTTP {}", answer.status);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
      const auto& error = parsed["error"];
      why = fmt::format("{} ({}): {}", error.value("code", "error"), answer.status,
                        error.value("message", ""));
    }
    result["content"].push_back({{"type", "text"}, {"text", std::move(why)}});
    result["isError"] = true;
  }
  result["content"].push_back({{"type", "text"}, {"text", body}});
  if (parsed.is_object()) result["structuredContent"] = std::move(parsed);
  return result.dump();
}

json tool_error(std::string message) {
  return {{"content", json::array({{{"type", "text"}, {"text", std::move(message)}}})},
          {"isError", true}};
}

std::string report_uri(const std::string& run_id) {
  return std::string(kReportUriPrefix) + run_id;
}

asio::awaitable<core::Result<json, RpcFailure>> list_resources(const McpServices& services,
                                                               const net::HttpRequest& caller) {
  auto latest = co_await services.chat->reports.latest(caller.user_id, kReportsListed,
                                                       core::Deadline::after(kStoreBudget));
  if (!latest) co_return failure(RpcError::internal_error, "the reports could not be read now");
  json resources = json::array();
  for (const auto& report : latest.value()) {
    const auto title =
        report.request.size() > 80 ? report.request.substr(0, 77) + "..." : report.request;
    resources.push_back({{"uri", report_uri(report.run_id)},
                         {"name", "report-" + report.run_id},
                         {"title", title},
                         {"description", "The agent's report on: " + title},
                         {"mimeType", "text/markdown"}});
  }
  json listed = {{"resources", std::move(resources)}};
  co_return listed;
}

asio::awaitable<core::Result<json, RpcFailure>> read_resource(const McpServices& services,
                                                              boost::json::object params,
                                                              const net::HttpRequest& caller) {
  const auto* uri = params.if_contains("uri");
  if (uri == nullptr || !uri->is_string()) {
    co_return failure(RpcError::invalid_params, "\"uri\" is required, a string");
  }
  const std::string text(uri->get_string());
  const auto not_found = "Resource not found: " + text.substr(0, 128);
  if (!text.starts_with(kReportUriPrefix)) {
    co_return failure(RpcError::resource_not_found, not_found);
  }
  auto found = co_await services.chat->reports.of_run(
      caller.user_id, text.substr(kReportUriPrefix.size()), core::Deadline::after(kStoreBudget));
  if (!found) {
    const auto code = found.error().code;
    if (code == chat::ChatErrorCode::not_found || code == chat::ChatErrorCode::invalid) {
      co_return failure(RpcError::resource_not_found, not_found);
    }
    co_return failure(RpcError::internal_error, "the report could not be read now");
  }
  json contents = {{"contents", json::array({{{"uri", text},
                                              {"mimeType", "text/markdown"},
                                              {"text", std::move(found->content)}}})}};
  co_return contents;
}

}  // namespace netra::api::mcp
