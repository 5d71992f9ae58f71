// JSON-RPC 2.0, as the Model Context Protocol uses it: one message per HTTP request (batches were
// removed in MCP 2025-06-18), a request with an id (a string or a number, never null), a
// notification without one, and the result or error that answers a request. Written here: the
// envelope is four fields, and the C++ JSON-RPC libraries Debian ships (libjsonrpccpp) bring their
// own servers and JSON type instead of reading a message.
#pragma once

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <memory>
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
  // What the message's values are built in: one allocation, dropped whole with the message
  // (values allocated and freed one by one were a tenth of what a tools/call added to its route).
  // On the heap, so that it stays where it is when the message moves.
  struct Arena {
    Arena() : resource(buffer.data(), buffer.size()) {}
    std::array<unsigned char, 1024> buffer;
    boost::json::monotonic_resource resource;  // then the heap, for a larger message
  };
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  enum class Kind { request, notification, response } kind = Kind::request;
  json id = nullptr;  // a request's (string or integer)
  std::string method{};
  // Always an object (absent params read as {}), in `arena`: what is taken from it must not
  // outlive the message, and moves without a copy only into an object of the same storage.
  boost::json::object params{boost::json::storage_ptr(&arena->resource)};
};

// The largest message read: tools take at most an ingest batch of this size.
constexpr size_t kMaxMessageBytes = 1024 * 1024;

// The message `body` holds, or the error object to answer it with (id null): parse_error for
// what is not JSON, invalid_request for JSON that is not one JSON-RPC 2.0 message.
core::Result<RpcMessage, json> parse_message(std::string_view body);

json rpc_result(const json& id, json result);
// The same, around a result that is JSON text already (a tool's, written once): written in place
// around it, without a copy when `result` has kRpcEnvelopeRoom bytes to spare.
std::string rpc_result_text(const json& id, std::string result);
constexpr size_t kRpcEnvelopeRoom = 96;
json rpc_error(const json& id, RpcError code, std::string message, json data = nullptr);
// A notification from the server (progress, say).
json rpc_notification(std::string method, json params);

}  // namespace netra::api::mcp
