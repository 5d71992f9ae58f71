#include "api/mcp/json_rpc.hpp"

#include "net/json_bounds.hpp"

namespace netra::api::mcp {
namespace {

// Deep enough for any tool's arguments (an ingest batch is 4 levels inside its message).
constexpr size_t kMaxDepth = 16;
constexpr size_t kMaxValues = 1'000'000;
constexpr size_t kMaxElements = 100'000;

json invalid(std::string message) {
  return rpc_error(nullptr, RpcError::invalid_request, std::move(message));
}

}  // namespace

core::Result<RpcMessage, json> parse_message(std::string_view body) {
  using Outcome = net::JsonBoundsOutcome;
  const auto bounds = net::check_json_bounds(body, {kMaxDepth, kMaxValues, kMaxElements});
  if (bounds == Outcome::invalid_json) {
    return rpc_error(nullptr, RpcError::parse_error, "the body is not JSON");
  }
  if (bounds != Outcome::within) return invalid("the message is nested too deep or too large");
  auto value = json::parse(body, nullptr, false);
  if (value.is_discarded())
    return rpc_error(nullptr, RpcError::parse_error, "the body is not JSON");
  if (value.is_array()) {
    return invalid("send one JSON-RPC message per request: batches are not supported");
  }
  if (!value.is_object()) return invalid("a JSON-RPC message is an object");
  const auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0") return invalid("\"jsonrpc\" must be \"2.0\"");
  RpcMessage message;
  const auto id = value.find("id");
  const bool has_id = id != value.end();
  if (has_id && !id->is_string() && !id->is_number_integer()) {
    return invalid("\"id\" must be a string or an integer");
  }
  const auto method = value.find("method");
  if (method == value.end()) {
    if (!has_id || (!value.contains("result") && !value.contains("error"))) {
      return invalid("a message needs a \"method\", or an \"id\" and a \"result\" or \"error\"");
    }
    message.kind = RpcMessage::Kind::response;
    message.id = *id;
    return message;
  }
  if (!method->is_string() || method->get_ref<const std::string&>().empty()) {
    return invalid("\"method\" must be a non-empty string");
  }
  message.method = method->get<std::string>();
  if (const auto params = value.find("params"); params != value.end() && !params->is_null()) {
    if (!params->is_object()) return invalid("\"params\" must be an object");
    message.params = std::move(*params);
  }
  message.kind = has_id ? RpcMessage::Kind::request : RpcMessage::Kind::notification;
  if (has_id) message.id = *id;
  return message;
}

json rpc_result(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json rpc_error(const json& id, RpcError code, std::string message, json data) {
  json error = {{"code", static_cast<int>(code)}, {"message", std::move(message)}};
  if (!data.is_null()) error["data"] = std::move(data);
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

json rpc_notification(std::string method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", std::move(method)}, {"params", std::move(params)}};
}

}  // namespace netra::api::mcp
