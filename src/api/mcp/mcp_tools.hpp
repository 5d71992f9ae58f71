// The MCP server's tools and resources. Each tool is the REST route that does the same thing,
// called in process as the caller (net/route_call.hpp): get_spend_summary is
// GET /api/workloads/summary (through the route's own reader, api::SummaryReader, once the route's
// gate lets the caller through), ingest_events POST /api/workloads/events, list_threads
// GET /api/threads, find_savings POST /api/threads and POST /api/threads/{id}/runs followed to the
// run's end (mcp/find_savings.hpp). Reports — the assistant messages completed runs stored — are
// the resources (netra://reports/{run_id}) and what get_report reads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "api/mcp/json_rpc.hpp"
#include "api/workload_routes.hpp"
#include "core/result.hpp"
#include "net/http_message.hpp"
#include "net/route_access.hpp"
#include "net/router.hpp"

namespace netra::chat {
struct ChatStore;
}

namespace netra::api {
class EventStreams;
}

namespace netra::api::mcp {

namespace asio = boost::asio;

// What the tools work on; all of it outlives the routes.
struct McpServices {
  const net::Router& router;
  net::ComponentAvailability availability;
  std::shared_ptr<chat::ChatStore> chat;
  std::shared_ptr<EventStreams> streams;  // a run's events, for find_savings' progress
  SummaryReader summary = nullptr;        // get_spend_summary's; empty without workload analytics
};

// Why a request cannot be answered with a result: the JSON-RPC error to send instead.
struct RpcFailure {
  RpcError code = RpcError::internal_error;
  std::string message{};
};

// What a tool takes, argument by argument (its inputSchema says the same to clients).
struct ArgumentRule {
  const char* name;
  enum class Type { string, integer, string_or_integer, array } type;
};
// The first problem with the arguments a tool was given — an unknown one, a wrong type, a
// required one missing — said so that a model can correct its call; nullopt when they fit.
std::optional<std::string> check_arguments(const boost::json::object& arguments,
                                           std::initializer_list<ArgumentRule> rules,
                                           std::initializer_list<const char*> required = {});

// The tools/list result.
json tool_list();
// Whether the tool answers as an event stream, with progress (a long call).
bool is_long_tool(std::string_view name);

// tools/call of a tool that is not long: its CallToolResult ({content, structuredContent,
// isError}) as JSON text; a failure only for a tool that does not exist. A refusal of the route
// (bad arguments, a missing scope, a store that cannot answer) is a result with isError, which the
// calling model can read and act on.
asio::awaitable<core::Result<std::string, RpcFailure>> call_tool(const McpServices& services,
                                                                 std::string name,
                                                                 boost::json::object arguments,
                                                                 const net::HttpRequest& caller);

// The CallToolResult of a route's answer, as JSON text: the body as text and as structured
// content (an object: an array answer is put under `array_key`), and isError for a status that is
// not 2xx, its error message first so that a model reads why. A body is the route's own JSON, so
// a success is written around it, not parsed and written again (the summary's tool answered at a
// quarter of the route's rate while it was).
std::string result_of_route(const net::HttpResponse& answer, const char* array_key = "items");
// A CallToolResult with isError: `message` for the model to read.
json tool_error(std::string message);

// resources/list and resources/read: the caller's latest reports, and one by its URI.
asio::awaitable<core::Result<json, RpcFailure>> list_resources(const McpServices& services,
                                                               const net::HttpRequest& caller);
asio::awaitable<core::Result<json, RpcFailure>> read_resource(const McpServices& services,
                                                              boost::json::object params,
                                                              const net::HttpRequest& caller);

// The URI of a run's report.
std::string report_uri(const std::string& run_id);

}  // namespace netra::api::mcp
