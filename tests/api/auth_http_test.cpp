// Accounts and tokens over HTTP against a real server process, and the Bearer gate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/fixture_server.hpp"
#include "support/http_client.hpp"

namespace netra::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

class AuthHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FixtureServer("http");
    if (!server_->wait_until_serving()) throw std::runtime_error(server_->process().output());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::optional<TestResponse> post(const std::string& path, const json& body) {
    TestHttpClient client("127.0.0.1", server_->port());
    const auto text = body.dump();
    client.send("POST " + path +
                " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(text.size()) + "\r\n\r\n" + text);
    return client.read_response(std::chrono::seconds(20));
  }
  static std::optional<TestResponse> get(const std::string& path, const std::string& token = "") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http_get(server_->port(), path, headers);
  }
  static FixtureServer* server_;
};
FixtureServer* AuthHttp::server_ = nullptr;

TEST_F(AuthHttp, RegisterLoginMeRefreshLogout) {
  auto registered =
      post("/auth/register", {{"email", "ada@Example.com"}, {"password", "long enough password"}});
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 201) << registered->body;
  EXPECT_EQ(json::parse(registered->body)["user"]["email"], "ada@example.com");
  EXPECT_EQ(post("/auth/register", {{"email", "ada@example.com"}, {"password", "another long one"}})
                ->status,
            409);

  auto login =
      post("/auth/login", {{"email", "ada@example.com"}, {"password", "long enough password"}});
  ASSERT_EQ(login->status, 200) << login->body;
  const auto tokens = json::parse(login->body);
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(tokens["expires_in"], 900);

  auto me = get("/auth/me", tokens["access_token"]);
  ASSERT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body)["user"]["email"], "ada@example.com");

  auto refreshed = post("/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
  ASSERT_EQ(refreshed->status, 200) << refreshed->body;
  auto reused = post("/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
  EXPECT_EQ(reused->status, 401) << "a used refresh token is refused";
  auto newest = json::parse(refreshed->body)["refresh_token"].get<std::string>();
  EXPECT_EQ(post("/auth/refresh", {{"refresh_token", newest}})->status, 401)
      << "and its family revoked";

  auto again =
      post("/auth/login", {{"email", "ada@example.com"}, {"password", "long enough password"}});
  const auto second = json::parse(again->body);
  EXPECT_EQ(post("/auth/logout", {{"refresh_token", second["refresh_token"]}})->status, 200);
  EXPECT_EQ(post("/auth/refresh", {{"refresh_token", second["refresh_token"]}})->status, 401);
}

TEST_F(AuthHttp, WrongEmailAndWrongPasswordAreTheSame401) {
  post("/auth/register", {{"email", "bob@example.com"}, {"password", "long enough password"}});
  auto wrong_password =
      post("/auth/login", {{"email", "bob@example.com"}, {"password", "nope nope nope"}});
  auto wrong_email =
      post("/auth/login", {{"email", "nobody@example.com"}, {"password", "long enough password"}});
  EXPECT_EQ(wrong_password->status, 401);
  EXPECT_EQ(wrong_email->status, 401);
  // The same answer but for the trace id, which is each request's own.
  auto without_trace = [](const std::string& body) {
    auto parsed = json::parse(body);
    EXPECT_TRUE(parsed["error"].contains("trace_id"));
    parsed["error"].erase("trace_id");
    return parsed;
  };
  EXPECT_EQ(without_trace(wrong_password->body), without_trace(wrong_email->body));
}

TEST_F(AuthHttp, TheBearerGateAnswers401WithAChallenge) {
  auto none = get("/auth/me");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->header("www-authenticate"), "Bearer error=\"invalid_token\"");
  auto forged = get("/auth/me", "eyJhbGciOiJub25lIn0.e30.");
  EXPECT_EQ(forged->status, 401);
  EXPECT_EQ(json::parse(forged->body)["error"]["code"], "invalid_token");
  EXPECT_THAT(server_->process().output(), ::testing::Not(HasSubstr("eyJhbGciOiJub25lIn0")))
      << "a token appeared in a log line";
}

TEST_F(AuthHttp, BodiesAreValidatedFieldByField) {
  auto missing = post("/auth/register", {{"email", "x@example.com"}});
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(json::parse(missing->body)["error"]["fields"]["password"], "required, a string");
  auto unknown =
      post("/auth/login", {{"email", "x@example.com"}, {"password", "p"}, {"admin", true}});
  EXPECT_EQ(json::parse(unknown->body)["error"]["fields"]["admin"], "unknown field");
  auto short_password = post("/auth/register", {{"email", "x@example.com"}, {"password", "short"}});
  EXPECT_EQ(short_password->status, 400);
  EXPECT_THAT(short_password->body, HasSubstr("password"));
}

TEST_F(AuthHttp, JwksPublishesTheSigningKey) {
  auto jwks = get("/.well-known/jwks.json");
  ASSERT_EQ(jwks->status, 200);
  const auto keys = json::parse(jwks->body)["keys"];
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["kty"], "RSA");
  EXPECT_EQ(keys[0]["alg"], "RS256");
  EXPECT_FALSE(keys[0].contains("d"));
}

TEST_F(AuthHttp, WebSocketTicketsAreIssuedToTheCaller) {
  post("/auth/register", {{"email", "tess@example.com"}, {"password", "long enough password"}});
  auto login =
      post("/auth/login", {{"email", "tess@example.com"}, {"password", "long enough password"}});
  const std::string token = json::parse(login->body)["access_token"];
  auto ticket = [&](const std::string& body, const std::string& bearer) {
    TestHttpClient client("127.0.0.1", server_->port());
    std::string request = "POST /api/websocket/ticket HTTP/1.1\r\nHost: api.test:8000\r\n";
    if (!bearer.empty()) request += "Authorization: Bearer " + bearer + "\r\n";
    client.send(request + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return client.read_response(std::chrono::seconds(10));
  };
  EXPECT_EQ(ticket("{}", "")->status, 401);
  auto fresh = ticket("", token);
  ASSERT_EQ(fresh->status, 200) << fresh->body;
  const auto issued = json::parse(fresh->body);
  const std::string id = issued["ticket_id"];
  EXPECT_EQ(id.rfind("tkt_", 0), 0u);
  EXPECT_EQ(issued["websocket_url"], "ws://api.test:8000/ws?ticket=" + id);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(issued["expires_at"].get<double>(), static_cast<double>(now + 30), 5.0)
      << "the default ttl is 30 s";
  auto longest = ticket(R"({"ttl_seconds":60})", token);
  ASSERT_EQ(longest->status, 200);
  EXPECT_NEAR(json::parse(longest->body)["expires_at"].get<double>(), static_cast<double>(now + 60),
              5.0);
  for (const auto* bad : {R"({"ttl_seconds":4})", R"({"ttl_seconds":61})",
                          R"({"ttl_seconds":3600})", R"({"ttl_seconds":"30"})"}) {
    auto refused = ticket(bad, token);
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_EQ(json::parse(refused->body)["error"]["fields"]["ttl_seconds"],
              "an integer from 5 to 60");
  }
  auto unknown = ticket(R"({"user_id":"someone else"})", token);
  EXPECT_EQ(json::parse(unknown->body)["error"]["fields"]["user_id"], "unknown field");
  EXPECT_EQ(ticket("[1]", token)->status, 400);
}

TEST_F(AuthHttp, DevLoginDoesNotExistByDefault) {
  EXPECT_EQ(post("/auth/dev/login", {{"email", "dev@example.com"}})->status, 404);
}

TEST(AuthRateLimit, LoginAttemptsBeyondTheLimitGet429WithRetryAfter) {
  FixtureServer server("http", {"--set", "auth.login_limit_per_minute=3"});
  ASSERT_TRUE(server.wait_until_serving()) << server.process().output();
  auto attempt = [&] {
    TestHttpClient client("127.0.0.1", server.port());
    const std::string body = R"({"email":"eve@example.com","password":"guess guess guess"})";
    client.send("POST /auth/login HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
    return client.read_response(std::chrono::seconds(10));
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt()->status, 401);
  auto limited = attempt();
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(json::parse(limited->body)["error"]["code"], "rate_limited");
  const int retry_after = std::stoi(limited->header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
}

TEST(AuthSharedSecret, Hs256SignsWhenChosenAndIsNeverPublished) {
  const std::string secret = "a shared secret of at least thirty-two bytes";
  FixtureServer server("http", {"--set", "auth.algorithm=HS256"},
                       {{"NETRA_AUTH_SHARED_SECRET", secret}});
  ASSERT_TRUE(server.wait_until_serving()) << server.process().output();
  auto call = [&](const std::string& path, const std::string& body) {
    TestHttpClient client("127.0.0.1", server.port());
    client.send("POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
    return client.read_response(std::chrono::seconds(20));
  };
  const std::string account = R"({"email":"hs@example.com","password":"long enough password"})";
  ASSERT_EQ(call("/auth/register", account)->status, 201);
  auto login = call("/auth/login", account);
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string token = json::parse(login->body)["access_token"];
  const auto header = token.substr(0, token.find('.'));
  EXPECT_THAT(header, HasSubstr("eyJhbGciOiJIUzI1NiIs")) << "{\"alg\":\"HS256\",...";
  auto me = http_get(server.port(), "/auth/me", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(me->status, 200) << me->body;
  auto jwks = http_get(server.port(), "/.well-known/jwks.json");
  EXPECT_EQ(json::parse(jwks->body)["keys"].size(), 0u);
  EXPECT_THAT(server.process().output(), ::testing::Not(HasSubstr(secret)));
}

TEST(AuthDevLogin, WorksWhenEnabledAndIsRefusedInProduction) {
  FixtureServer dev("http", {"--set", "auth.dev_login=true"});
  ASSERT_TRUE(dev.wait_until_serving()) << dev.process().output();
  TestHttpClient client("127.0.0.1", dev.port());
  const std::string body = R"({"email":"dev@example.com"})";
  client.send("POST /auth/dev/login HTTP/1.1\r\nHost: t\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
  auto r = client.read_response(std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["user"]["email"], "dev@example.com");

  auto refused = run_process({NETRA_FIXTURE_BIN, "serve", "--set", "auth.dev_login=true", "--set",
                              "environment=production"},
                             {{"FIXTURE_SCENARIO", "http"}, {"NETRA_SERVER_PORT", "0"}});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.output, HasSubstr("auth.dev_login = true"));
  EXPECT_THAT(refused.output, HasSubstr("production"));
}

}  // namespace
}  // namespace netra::testing
