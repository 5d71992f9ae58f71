// JSON-RPC 2.0, as the Model Context Protocol uses it: one message per HTTP request (batches were
// removed in MCP 2025-06-18), a request with an id (a string or a number, never null), a
// notification without one, and the result or error that answers a request. Written here: the
// envelope is four fields, and the C++ JSON-RPC libraries Debian ships (libjsonrpccpp) bring their
// own servers and JSON type instead of reading a message.
#pragma once

#include <boost/json/object.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace netra::api::mcp {

using json = nlohmann::json;

// The error codes of JSON-RPC 2.0, and MCP's for a resource it does not have.
enum class RpcError : int {
  parse_error = -32700,
  invalid_request = -32600,
  method_not_found = -32601,
  invalid_params = -32602,
  internal_error = -32603,
  resource_not_found = -32002,
};

// Read with Boost.JSON (a tools/call read with nlohmann cost a sixth of the server's time under
// load); the id stays a nlohmann value, for the answers written with it.
struct RpcMessage {
  enum class Kind { request, notification, response } kind = Kind::request;
  json id = nullptr;  // a request's (string or integer)
  std::string method{};
  boost::json::object params{};  // always an object (absent params read as {})
};

// The largest message read: tools take at most an ingest batch of this size.
constexpr size_t kMaxMessageBytes = 1024 * 1024;

// The message `body` holds, or the error object to answer it with (id null): parse_error for
// what is not JSON, invalid_request for JSON that is not one JSON-RPC 2.0 message.
core::Result<RpcMessage, json> parse_message(std::string_view body);

json rpc_result(const json& id, json result);
// The same, around a result that is JSON text already (a tool's, written once).
std::string rpc_result_text(const json& id, std::string_view result);
json rpc_error(const json& id, RpcError code, std::string message, json data = nullptr);
// A notification from the server (progress, say).
json rpc_notification(std::string method, json params);

}  // namespace netra::api::mcp
