#include "api/mcp/json_rpc.hpp"

#include <boost/json/serialize.hpp>

#include "net/json_parse.hpp"

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
  auto outcome = Outcome::within;
  RpcMessage message;
  auto value = net::parse_json_within(body, {kMaxDepth, kMaxValues, kMaxElements}, outcome,
                                      message.params.storage());
  if (outcome == Outcome::invalid_json) {
    return rpc_error(nullptr, RpcError::parse_error, "the body is not JSON");
  }
  if (outcome != Outcome::within) return invalid("the message is nested too deep or too large");
  if (value.is_array()) {
    return invalid("send one JSON-RPC message per request: batches are not supported");
  }
  if (!value.is_object()) return invalid("a JSON-RPC message is an object");
  auto& object = value.get_object();
  const auto* version = object.if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    return invalid("\"jsonrpc\" must be \"2.0\"");
  }
  const auto* id = object.if_contains("id");
  if (id != nullptr) {
    if (id->is_string()) {
      message.id = std::string(id->get_string());
    } else if (id->is_int64()) {
      message.id = id->get_int64();
    } else if (id->is_uint64()) {
      message.id = id->get_uint64();
    } else {
      return invalid("\"id\" must be a string or an integer");
    }
  }
  const auto* method = object.if_contains("method");
  if (method == nullptr) {
    if (id == nullptr || (!object.contains("result") && !object.contains("error"))) {
      return invalid("a message needs a \"method\", or an \"id\" and a \"result\" or \"error\"");
    }
    message.kind = RpcMessage::Kind::response;
    return message;
  }
  if (!method->is_string() || method->get_string().empty()) {
    return invalid("\"method\" must be a non-empty string");
  }
  message.method = std::string(method->get_string());
  if (auto* params = object.if_contains("params"); params != nullptr && !params->is_null()) {
    if (!params->is_object()) return invalid("\"params\" must be an object");
    message.params = std::move(params->get_object());  // the same arena: not copied
  }
  message.kind = id != nullptr ? RpcMessage::Kind::request : RpcMessage::Kind::notification;
  return message;
}

json rpc_result(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

std::string rpc_result_text(const json& id, std::string result) {
  std::string head = R"({"id":)";
  if (id.is_string()) {
    head.append(boost::json::serialize(boost::json::string_view(id.get_ref<const std::string&>())));
  } else if (id.is_number_unsigned()) {
    head.append(std::to_string(id.get<uint64_t>()));
  } else if (id.is_number_integer()) {
    head.append(std::to_string(id.get<int64_t>()));
  } else {
    head.append(id.dump());
  }
  head.append(R"(,"jsonrpc":"2.0","result":)");
  result.insert(0, head);
  result.append("}");
  return result;  // not the reference append returns: that would copy
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
