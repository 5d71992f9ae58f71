// What a hostile client tries against the real `netra serve`, and what the server does instead:
// free-text methods that would become metric series, login limits dodged by spelling an address
// differently or from an address already refused, and a forwarded address from a peer that is
// not a trusted proxy. Each case failed before its fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "support/http_client.hpp"
#include "support/netra_server.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// One request from `source` (127.0.0.0/8: another client, as the server sees it), on a fresh
// connection, with extra header lines.
std::optional<TestResponse> send_from(const NetraServer& server, const std::string& source,
                                      const std::string& method, const std::string& target,
                                      const std::string& body = "",
                                      const std::vector<std::string>& headers = {}) {
  TestHttpClient client("127.0.0.1", server.port(), source);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: t\r\n";
  for (const auto& h : headers) request += h + "\r\n";
  request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body;
  client.send(request);
  return client.read_response(30s);
}

int login_from(const NetraServer& server, const std::string& source, const std::string& email,
               const std::string& password, const std::vector<std::string>& headers = {}) {
  const auto r = send_from(server, source, "POST", "/auth/login",
                           json{{"email", email}, {"password", password}}.dump(), headers);
  return r ? r->status : 0;
}

void register_account(NetraServer& server, const std::string& email, const std::string& password) {
  server.expect(201, "POST", "/auth/register", "",
                json{{"email", email}, {"password", password}}.dump());
}

// The metric series (lines that are not comments) labelled with an HTTP method.
size_t method_series(const std::string& metrics) {
  size_t count = 0;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != '#' && line.find("method=\"") != std::string::npos) ++count;
  }
  return count;
}

TEST(HostileClients, UnknownMethodsAre501AndNeverBecomeMetricSeries) {
  NetraServer server;
  const auto before = server.call("GET", "/metrics");
  ASSERT_TRUE(before);
  std::mt19937 random(7);
  std::vector<std::string> methods;
  for (int i = 0; i < 40; ++i) {
    std::string method(300, 'A');
    for (auto& c : method) c = static_cast<char>('A' + random() % 26);
    methods.push_back(method);
    const auto r = server.call(method, "/api/threads");
    ASSERT_TRUE(r) << "no answer to a made-up method";
    EXPECT_EQ(r->status, 501) << r->body;
    EXPECT_THAT(r->body, HasSubstr("not_implemented"));
  }
  const auto after = server.call("GET", "/metrics");
  ASSERT_TRUE(after);
  for (const auto& m : methods) ASSERT_THAT(after->body, Not(HasSubstr(m.substr(0, 40))));
  EXPECT_THAT(after->body, HasSubstr(R"(method="other")"));
  // Counted among the series that name a method, not by the body's size: the jobs a first start
  // runs add series of their own meanwhile. One family for method="other" (about twenty lines:
  // the histogram's buckets) is fine; one per made-up method would be forty times that.
  EXPECT_LT(method_series(after->body), method_series(before->body) + 40)
      << "new series per method";
  // Methods the server does implement still route as before.
  EXPECT_EQ(server.call("DELETE", "/health/live")->status, 405);
  EXPECT_EQ(server.call("GET", "/health/live")->status, 200);
}

// The account bucket is keyed on the address as the account lookup normalises it: trailing
// spaces or an upper-case domain are the same account, and share its limit.
TEST(HostileClients, EverySpellingOfAnAccountSharesItsLoginLimit) {
  NetraServer server({"auth.login_limit_per_minute=3"});
  register_account(server, "victim@example.com", "the right password");
  const std::vector<std::string> spellings = {"victim@example.com", "victim@example.com ",
                                              " victim@EXAMPLE.com", "victim@Example.Com  ",
                                              "victim@example.com   "};
  std::vector<int> statuses;
  for (size_t i = 0; i < spellings.size(); ++i) {
    // A different client each time, so only the account's bucket can refuse.
    statuses.push_back(
        login_from(server, "127.0.0." + std::to_string(10 + i), spellings[i], "a wrong guess"));
  }
  EXPECT_THAT(statuses, ::testing::ElementsAre(401, 401, 401, 429, 429));
}

// Attempts an address may no longer make do not spend the account's attempts: otherwise anyone
// whose own address is refused could still lock every account out.
TEST(HostileClients, AnAddressAlreadyRefusedDoesNotSpendAnAccountsAttempts) {
  NetraServer server({"auth.login_limit_per_minute=3"});
  register_account(server, "victim@example.com", "the right password");
  const std::string attacker = "127.0.0.20";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login_from(server, attacker, "nobody" + std::to_string(i) + "@example.com", "x"),
              401);
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login_from(server, attacker, "victim@example.com", "a wrong guess"), 429);
  }
  EXPECT_EQ(login_from(server, "127.0.0.21", "victim@example.com", "the right password"), 200)
      << "the victim was locked out by attempts that were never allowed";
}

// Behind a trusted proxy each client has its own bucket; a peer that is not trusted cannot
// pick one by sending X-Forwarded-For itself.
TEST(HostileClients, OnlyATrustedProxyNamesTheClient) {
  NetraServer server({"auth.login_limit_per_minute=2", "server.trusted_proxies=127.0.0.1"});
  auto as_client = [](const std::string& address) {
    return std::vector<std::string>{"X-Forwarded-For: " + address};
  };
  // Through the proxy: two clients, two buckets.
  EXPECT_EQ(login_from(server, "127.0.0.1", "a@example.com", "x", as_client("203.0.113.1")), 401);
  EXPECT_EQ(login_from(server, "127.0.0.1", "b@example.com", "x", as_client("203.0.113.1")), 401);
  EXPECT_EQ(login_from(server, "127.0.0.1", "c@example.com", "x", as_client("203.0.113.1")), 429);
  EXPECT_EQ(login_from(server, "127.0.0.1", "d@example.com", "x", as_client("203.0.113.2")), 401)
      << "another client behind the proxy has a bucket of its own";
  // Spoofed: a client that reaches the server directly is counted as itself.
  const std::string direct = "127.0.0.30";
  EXPECT_EQ(login_from(server, direct, "e@example.com", "x", as_client("198.51.100.1")), 401);
  EXPECT_EQ(login_from(server, direct, "f@example.com", "x", as_client("198.51.100.2")), 401);
  EXPECT_EQ(login_from(server, direct, "g@example.com", "x", as_client("198.51.100.3")), 429)
      << "an untrusted peer chose its own bucket by X-Forwarded-For";
}

// Registration hashes a password (argon2id, 64 MiB): it is limited per address like logins.
TEST(HostileClients, RegistrationsAreLimitedPerAddress) {
  NetraServer server({"auth.register_limit_per_minute=2"});
  auto register_from = [&](const std::string& source, int n) {
    const auto r = send_from(server, source, "POST", "/auth/register",
                             json{{"email", "user" + std::to_string(n) + "@example.com"},
                                  {"password", "a long enough password"}}
                                 .dump());
    return r ? r->status : 0;
  };
  EXPECT_EQ(register_from("127.0.0.40", 1), 201);
  EXPECT_EQ(register_from("127.0.0.40", 2), 201);
  const auto refused = send_from(
      server, "127.0.0.40", "POST", "/auth/register",
      json{{"email", "user3@example.com"}, {"password", "a long enough password"}}.dump());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_FALSE(refused->header("retry-after").empty());
  EXPECT_EQ(register_from("127.0.0.41", 4), 201) << "another address has its own limit";
}

// More passwords at once than the hasher has threads and queue: the rest are answered 503 busy
// with Retry-After at once, instead of queueing without bound in front of everything else.
TEST(HostileClients, AFullHashingQueueAnswersBusyInsteadOfQueueing) {
  NetraServer server(
      {"auth.hash_threads=1", "auth.hash_queue=1", "auth.register_limit_per_minute=1000"});
  constexpr int kAtOnce = 12;
  std::vector<std::unique_ptr<TestHttpClient>> clients;
  for (int i = 0; i < kAtOnce; ++i) {
    clients.push_back(std::make_unique<TestHttpClient>("127.0.0.1", server.port()));
    const auto body = json{{"email", "burst" + std::to_string(i) + "@example.com"},
                           {"password", "a long enough password"}}
                          .dump();
    clients.back()->send(
        "POST /auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: "
        "application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  int created = 0, busy = 0;
  for (auto& client : clients) {
    const auto r = client->read_response(30s);
    ASSERT_TRUE(r) << "a registration got no answer";
    if (r->status == 201) ++created;
    if (r->status == 503) {
      ++busy;
      EXPECT_THAT(r->body, HasSubstr("\"busy\""));
      EXPECT_EQ(r->header("retry-after"), "1");
    }
  }
  EXPECT_EQ(created + busy, kAtOnce);
  EXPECT_GE(created, 1);
  EXPECT_GE(busy, 1) << "every registration queued for the one hashing thread";
  EXPECT_EQ(server.call("GET", "/health/live")->status, 200);
}

// One client cannot hold every connection: past its per-address limit it is answered 503 and
// closed, while another address is still served.
TEST(HostileClients, OneAddressCannotTakeEveryConnection) {
  NetraServer server({"server.max_connections_per_address=5"});
  std::vector<std::unique_ptr<TestHttpClient>> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(std::make_unique<TestHttpClient>("127.0.0.1", server.port(), "127.0.0.50"));
    ASSERT_TRUE(held.back()->get("/health/live")) << "connection " << i;  // open, kept alive
  }
  TestHttpClient sixth("127.0.0.1", server.port(), "127.0.0.50");
  const auto refused = sixth.read_response(10s);
  ASSERT_TRUE(refused) << "the sixth connection got no answer";
  EXPECT_EQ(refused->status, 503);
  EXPECT_THAT(refused->body, HasSubstr("too_many_connections"));
  EXPECT_TRUE(sixth.closed_within(5s));
  const auto other = send_from(server, "127.0.0.51", "GET", "/health/live");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << "another address is still served";
  held.pop_back();  // one closes: the address may connect again
  std::this_thread::sleep_for(200ms);
  const auto again = send_from(server, "127.0.0.50", "GET", "/health/live");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// A dependency's own words (its address, user, file paths) are for operators: the public probes
// show states and coarse reasons, and the whole text needs server.admin_token.
TEST(HostileClients, HealthShowsDependencyErrorsOnlyToAnAdministrator) {
  const std::string admin(40, 'a');
  NetraServer server({"analytics.url=http://127.0.0.1:1"}, {{"NETRA_SERVER_ADMIN_TOKEN", admin}});
  const std::string where = "127.0.0.1:1";  // what ClickHouse's connection error names
  json health;
  for (int i = 0; i < 100; ++i) {  // the clickhouse component fails its start, then degrades
    health = server.expect(200, "GET", "/health", admin);
    const auto& components = health["components"];
    if (std::any_of(components.begin(), components.end(), [](const json& c) {
          return c["name"] == "clickhouse" && c["state"] == "degraded";
        })) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_THAT(health.dump(), HasSubstr(where)) << "the administrator sees the error";
  ASSERT_THAT(server.expect(200, "GET", "/health/startup", admin).dump(), HasSubstr(where));
  for (const std::string& token : {std::string(), std::string(40, 'b'), admin + "x"}) {
    for (const char* path : {"/health", "/health/startup", "/health/ready", "/metrics"}) {
      const auto answer = server.call("GET", path, "", token);
      ASSERT_TRUE(answer) << path;
      EXPECT_THAT(answer->body, Not(HasSubstr(where))) << path << " with token '" << token << "'";
    }
    const auto shown = json::parse(server.call("GET", "/health", "", token)->body);
    for (const auto& c : shown["components"]) {
      if (c["name"] != "clickhouse") continue;
      EXPECT_EQ(c["state"], "degraded");
      EXPECT_EQ(c["error"], "failed (the log and an administrator token show why)");
    }
  }
  EXPECT_THAT(server.process().output(), HasSubstr(where)) << "the log keeps the error";
}

}  // namespace
}  // namespace netra::testing
