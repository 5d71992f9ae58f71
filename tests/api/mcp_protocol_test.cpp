// The MCP server's protocol pieces as units: what JSON-RPC 2.0 message a body holds (or the error
// that answers it), version negotiation, and session ids bound to their user.
#include <gtest/gtest.h>

#include <string>

#include "api/mcp/json_rpc.hpp"
#include "api/mcp/mcp_session.hpp"
#include "api/mcp/mcp_tools.hpp"

namespace netra::api::mcp {
namespace {

int error_code_of(std::string_view body) {
  auto parsed = parse_message(body);
  EXPECT_FALSE(parsed) << body;
  if (parsed) return 0;
  EXPECT_TRUE(parsed.error()["id"].is_null());
  return parsed.error()["error"]["code"].get<int>();
}

TEST(JsonRpc, ReadsRequestsNotificationsAndResponses) {
  auto request = parse_message(R"({"jsonrpc":"2.0","id":"a1","method":"tools/call",
                                   "params":{"name":"x"}})");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->kind, RpcMessage::Kind::request);
  EXPECT_EQ(request->id, "a1");
  EXPECT_EQ(request->method, "tools/call");
  EXPECT_EQ(request->params.at("name").as_string(), "x");

  auto numbered = parse_message(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  ASSERT_TRUE(numbered);
  EXPECT_EQ(numbered->id, 7);
  EXPECT_TRUE(numbered->params.empty());  // absent params read as {}

  auto notification = parse_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->kind, RpcMessage::Kind::notification);

  auto response = parse_message(R"({"jsonrpc":"2.0","id":3,"result":{}})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->kind, RpcMessage::Kind::response);
}

TEST(JsonRpc, RefusesWhatIsNotOneMessage) {
  const int parse = static_cast<int>(RpcError::parse_error);
  const int invalid = static_cast<int>(RpcError::invalid_request);
  EXPECT_EQ(error_code_of("{"), parse);
  EXPECT_EQ(error_code_of(""), parse);
  EXPECT_EQ(error_code_of(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"), invalid);  // a batch
  EXPECT_EQ(error_code_of(R"("ping")"), invalid);
  EXPECT_EQ(error_code_of(R"({"id":1,"method":"ping"})"), invalid);  // no jsonrpc
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"1.0","id":1,"method":"ping"})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":null,"method":"ping"})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":{},"method":"ping"})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":""})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":5})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})"), invalid);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1})"), invalid);  // neither call nor answer
  // Nested past the bound: refused before it is built in memory.
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"a":)";
  deep += std::string(40, '[') + std::string(40, ']') + "}}";
  EXPECT_EQ(error_code_of(deep), invalid);
}

TEST(JsonRpc, WritesResultsErrorsAndNotifications) {
  EXPECT_EQ(rpc_result(4, {{"ok", true}}).dump(),
            R"({"id":4,"jsonrpc":"2.0","result":{"ok":true}})");
  // Around a result written already: the same text.
  EXPECT_EQ(rpc_result_text(4, R"({"ok":true})"), rpc_result(4, {{"ok", true}}).dump());
  EXPECT_EQ(rpc_result_text("a\"b", "{}"), rpc_result("a\"b", json::object()).dump());
  const auto error = rpc_error("q", RpcError::method_not_found, "no", {{"m", "x"}});
  EXPECT_EQ(error["error"]["code"], -32601);
  EXPECT_EQ(error["error"]["data"]["m"], "x");
  EXPECT_FALSE(rpc_error(1, RpcError::internal_error, "x")["error"].contains("data"));
  EXPECT_FALSE(rpc_notification("notifications/progress", json::object()).contains("id"));
}

TEST(McpVersions, NegotiatesTheAskedVersionOrTheNewest) {
  EXPECT_EQ(negotiate_version("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiate_version("2025-03-26"), "2025-03-26");
  EXPECT_EQ(negotiate_version("2024-11-05"), "2025-11-25");
  EXPECT_EQ(negotiate_version(""), "2025-11-25");
  EXPECT_FALSE(refuse_version(""));  // absent: 2025-03-26, as the transport says
  EXPECT_FALSE(refuse_version("2025-11-25"));
  ASSERT_TRUE(refuse_version("2030-01-01"));
  EXPECT_NE(refuse_version("2030-01-01")->find("2025-06-18"), std::string::npos);
}

TEST(McpSessions, AnIdIsBoundToTheUserItWasMadeFor) {
  const auto id = new_session_id("usr_alice");
  EXPECT_TRUE(is_session_of(id, "usr_alice"));
  EXPECT_FALSE(is_session_of(id, "usr_bob"));
  EXPECT_NE(id, new_session_id("usr_alice"));  // random
  auto tampered = id;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(is_session_of(tampered, "usr_alice"));
  EXPECT_FALSE(is_session_of(id.substr(0, id.size() - 1), "usr_alice"));
  EXPECT_FALSE(is_session_of(id + "A", "usr_alice"));
  EXPECT_FALSE(is_session_of("", "usr_alice"));
  EXPECT_NE(revocation_key(id), id);
}

TEST(ToolResults, ARoutesAnswerIsTheResultsTextAndStructuredContent) {
  net::HttpResponse answer;
  answer.body = R"({"groups":[{"key":"gpt-4o","note":"a \"quoted\"\nline"}]})";
  const auto result = json::parse(result_of_route(answer));
  ASSERT_EQ(result["content"].size(), 1u);
  EXPECT_EQ(result["content"][0]["type"], "text");
  EXPECT_EQ(result["content"][0]["text"], answer.body);  // escaped, and read back the same
  EXPECT_EQ(result["structuredContent"], json::parse(answer.body));
  EXPECT_FALSE(result.contains("isError"));

  answer.body = R"([{"id":"thr_1"}])";  // structured content is an object: the array goes inside
  EXPECT_EQ(
      json::parse(result_of_route(answer, "threads"))["structuredContent"]["threads"][0]["id"],
      "thr_1");

  // Answers are remembered by body: two bodies alike in length, beginning and end are still two.
  const std::string ends(60, ' ');
  answer.body = R"({"a":)" + ends + R"("first")" + ends + "}";
  EXPECT_EQ(json::parse(result_of_route(answer))["structuredContent"]["a"], "first");
  answer.body = R"({"a":)" + ends + R"("other")" + ends + "}";
  EXPECT_EQ(json::parse(result_of_route(answer))["structuredContent"]["a"], "other");
  EXPECT_EQ(json::parse(result_of_route(answer))["content"][0]["text"], answer.body);
  answer.body = R"([{"id":"thr_1"}])";  // the same body under another key
  EXPECT_TRUE(json::parse(result_of_route(answer, "items"))["structuredContent"].contains("items"));

  answer.status = 403;
  answer.body = R"({"error":{"code":"insufficient_scope","message":"lacks read"}})";
  const auto refused = json::parse(result_of_route(answer));
  EXPECT_EQ(refused["isError"], true);
  EXPECT_EQ(refused["content"][0]["text"], "insufficient_scope (403): lacks read");
  EXPECT_EQ(refused["structuredContent"]["error"]["code"], "insufficient_scope");
}

}  // namespace
}  // namespace netra::api::mcp
