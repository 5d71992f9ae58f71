// Browser front ends on another origin (CORS) against the real `netra serve`, over raw sockets:
// what a preflight, an actual answer and a WebSocket handshake carry for a listed origin, an
// unlisted one and a client that names none. tests/browser/ drives the same through Chromium.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/netra_server.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kListed = "http://app.example.test:5173";
constexpr const char* kUnlisted = "http://evil.example.test";

std::optional<TestResponse> send(const NetraServer& server, const std::string& method,
                                 const std::string& target, const std::vector<std::string>& headers,
                                 const std::string& body = "") {
  TestHttpClient client("127.0.0.1", server.port());
  std::string request = method + " " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";
  for (const auto& h : headers) request += h + "\r\n";
  if (!body.empty()) {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  client.send(request + "\r\n" + body);
  return client.read_response(30s);
}

std::optional<TestResponse> handshake(const NetraServer& server, const std::string& origin) {
  std::vector<std::string> headers = {
      "Upgrade: websocket", "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"};
  if (!origin.empty()) headers.push_back("Origin: " + origin);
  TestHttpClient client("127.0.0.1", server.port());
  std::string request =
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";
  for (const auto& h : headers) request += h + "\r\n";
  client.send(request + "\r\n");
  return client.read_response(10s);
}

// How often a header appears in an answer, as curl received it: a browser refuses a CORS answer
// that names Access-Control-Allow-Origin twice (TestResponse keeps one value per name).
int count_header(const NetraServer& server, const std::vector<std::string>& curl_args,
                 const std::string& name) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-i", "--max-time", "10"};
  argv.insert(argv.end(), curl_args.begin(), curl_args.end());
  argv.push_back("http://127.0.0.1:" + std::to_string(server.port()) + "/api/threads");
  const auto result = run_process(argv);
  int count = 0;
  for (size_t at = result.output.find(name + ":"); at != std::string::npos;
       at = result.output.find(name + ":", at + 1)) {
    ++count;
  }
  return count;
}

class CorsHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new NetraServer({std::string("server.cors_origins=") + kListed + "/"});
    token_ = new std::string(server_->sign_in("cors@example.com"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete token_;
  }
  static NetraServer* server_;
  static std::string* token_;
};
NetraServer* CorsHttpTest::server_ = nullptr;
std::string* CorsHttpTest::token_ = nullptr;

TEST_F(CorsHttpTest, APreflightFromAListedOriginNamesWhatThePathAllows) {
  auto r = send(*server_, "OPTIONS", "/api/threads",
                {std::string("Origin: ") + kListed, "Access-Control-Request-Method: POST",
                 "Access-Control-Request-Headers: authorization, content-type"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("access-control-allow-origin"), kListed);  // the trailing '/' was dropped
  EXPECT_EQ(r->header("access-control-allow-methods"), "GET, HEAD, POST");
  EXPECT_THAT(r->header("access-control-allow-headers"), HasSubstr("Authorization"));
  EXPECT_THAT(r->header("access-control-allow-headers"), HasSubstr("Last-Event-ID"));
  EXPECT_THAT(r->header("access-control-allow-headers"), HasSubstr("traceparent"));
  EXPECT_EQ(r->header("access-control-max-age"), "600");
  EXPECT_THAT(r->header("vary"), HasSubstr("Origin"));
  EXPECT_EQ(r->header("access-control-allow-credentials"), "");  // bearer tokens, no cookies
  EXPECT_EQ(count_header(*server_,
                         {"-X", "OPTIONS", "-H", std::string("Origin: ") + kListed, "-H",
                          "Access-Control-Request-Method: GET"},
                         "Access-Control-Allow-Origin"),
            1);
  EXPECT_EQ(count_header(*server_, {"-H", std::string("Origin: ") + kListed},
                         "Access-Control-Allow-Origin"),
            1);
}

TEST_F(CorsHttpTest, APreflightFromAnUnlistedOriginIsRefusedWithoutAllowHeaders) {
  auto r = send(*server_, "OPTIONS", "/api/threads",
                {std::string("Origin: ") + kUnlisted, "Access-Control-Request-Method: GET"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->header("access-control-allow-origin"), "");
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "origin_not_allowed");
  // A listed origin, but a path no route has.
  auto missing = send(*server_, "OPTIONS", "/api/nothing-here",
                      {std::string("Origin: ") + kListed, "Access-Control-Request-Method: GET"});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  // OPTIONS that is not a preflight (no Origin) stays what it was: 405 with Allow.
  auto plain = send(*server_, "OPTIONS", "/api/threads", {});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 405);
  EXPECT_EQ(plain->header("allow"), "GET, HEAD, POST");
}

TEST_F(CorsHttpTest, AnswersToAListedOriginCarryTheOriginAndTheHeadersAScriptMayRead) {
  auto r = send(*server_, "GET", "/api/threads",
                {std::string("Origin: ") + kListed, "Authorization: Bearer " + *token_});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("access-control-allow-origin"), kListed);
  EXPECT_EQ(r->header("vary"), "Origin");
  EXPECT_THAT(r->header("access-control-expose-headers"), HasSubstr("X-Request-Id"));
  EXPECT_THAT(r->header("access-control-expose-headers"), HasSubstr("Retry-After"));
  EXPECT_THAT(r->header("access-control-expose-headers"), HasSubstr("Mcp-Session-Id"));
  // Refusals too (401 is decided before the body is read): a page must be able to read them.
  auto refused = send(*server_, "GET", "/api/threads", {std::string("Origin: ") + kListed});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->header("access-control-allow-origin"), kListed);
  auto missing = send(*server_, "GET", "/api/nothing-here", {std::string("Origin: ") + kListed});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("access-control-allow-origin"), kListed);
}

TEST_F(CorsHttpTest, AnUnlistedOriginOrNoneGetsNoAllowOrigin) {
  auto r = send(*server_, "GET", "/api/threads",
                {std::string("Origin: ") + kUnlisted, "Authorization: Bearer " + *token_});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);  // the browser withholds it from the page; other clients read it
  EXPECT_EQ(r->header("access-control-allow-origin"), "");
  EXPECT_EQ(r->header("vary"), "Origin");  // a cache must not hand this answer to another origin
  auto none = send(*server_, "GET", "/api/threads", {"Authorization: Bearer " + *token_});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 200);
  EXPECT_EQ(none->header("access-control-allow-origin"), "");
}

TEST_F(CorsHttpTest, TheWebSocketHandshakeChecksTheOrigin) {
  auto listed = handshake(*server_, kListed);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 101);
  auto own = handshake(*server_, "http://127.0.0.1:" + std::to_string(server_->port()));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 101);  // a page the server itself serves
  auto no_browser = handshake(*server_, "");
  ASSERT_TRUE(no_browser);
  EXPECT_EQ(no_browser->status, 101);
  auto unlisted = handshake(*server_, kUnlisted);
  ASSERT_TRUE(unlisted);
  EXPECT_EQ(unlisted->status, 403);
  EXPECT_EQ(nlohmann::json::parse(unlisted->body)["error"]["code"], "origin_not_allowed");
}

TEST(CorsConfiguration, WildcardsAndPathsAreRefusedAtStartWithTheReason) {
  auto run = [](const std::string& origins) {
    return run_process({NETRA_BIN, "check", "--set", "server.cors_origins=" + origins});
  };
  const auto wildcard = run("*");
  EXPECT_NE(wildcard.exit_code, 0);
  EXPECT_THAT(wildcard.output, HasSubstr("server.cors_origins: '*' is a wildcard"));
  const auto path = run("https://app.example.com/login");
  EXPECT_NE(path.exit_code, 0);
  EXPECT_THAT(path.output, HasSubstr("has a path, query or fragment"));
  const auto scheme = run("ftp://app.example.com");
  EXPECT_NE(scheme.exit_code, 0);
  EXPECT_THAT(scheme.output, HasSubstr("is not an origin"));
  const auto fine = run("https://app.example.com,http://localhost:5173");
  EXPECT_EQ(fine.exit_code, 0) << fine.output;
}

}  // namespace
}  // namespace netra::testing
