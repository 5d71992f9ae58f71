// API keys end to end: the real `netra serve` over real HTTP — a key made, listed and deleted by
// its owner; used where its scopes allow and refused elsewhere with the scope named; refused at
// once after deletion; limited per key; never in the log; invisible to another user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/netra_server.hpp"

namespace netra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json events(int count) {
  json batch = json::array();
  for (int i = 0; i < count; ++i) {
    batch.push_back({{"timestamp", now_ms() - 60'000 - i},
                     {"workload_id", "support-chat"},
                     {"provider", "openai"},
                     {"model", "gpt-4o"},
                     {"input_tokens", 100},
                     {"output_tokens", 10},
                     {"latency_ms", 300},
                     {"cost_usd", 0.001}});
  }
  return batch;
}

// Every request the summary counts, whatever it is grouped by.
int64_t requests_in(const json& summary) {
  int64_t total = 0;
  for (const auto& group : summary["groups"]) total += group["requests"].get<int64_t>();
  return total;
}

class ApiKeysHttp : public ::testing::Test {
 protected:
  void start(std::vector<std::string> sets = {}) {
    server_ = std::make_unique<NetraServer>(sets);
    alice_ = server_->sign_in("alice@example.com");
    bob_ = server_->sign_in("bob@example.com");
  }
  void SetUp() override { start(); }

  json expect(int status, const std::string& method, const std::string& target,
              const std::string& token, const std::string& body = "") {
    return server_->expect(status, method, target, token, body);
  }
  // A new key of `token`'s user: the whole answer's "key" object (with the key itself).
  json make_key(const std::string& token, const json& scopes, const std::string& name = "app") {
    return expect(201, "POST", "/api/keys", token,
                  json{{"name", name}, {"scopes", scopes}}.dump())["key"];
  }

  std::unique_ptr<NetraServer> server_;
  std::string alice_;
  std::string bob_;
};

TEST_F(ApiKeysHttp, AKeyIsShownOnceAndListedWithoutIt) {
  const auto made = server_->call("POST", "/api/keys",
                                  R"({"name":"prod ingest","scopes":["ingest","read"]})", alice_);
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(made->header("cache-control"), "no-store");
  const auto key = json::parse(made->body)["key"];
  const std::string secret = key["key"];
  EXPECT_EQ(secret.rfind("nk_", 0), 0u);
  EXPECT_EQ(secret.size(), 46u);
  EXPECT_EQ(key["prefix"], secret.substr(0, 11));
  EXPECT_EQ(key["scopes"], json({"ingest", "read"}));
  EXPECT_EQ(made->header("location"), "/api/keys/" + key["id"].get<std::string>());

  const auto listed = expect(200, "GET", "/api/keys", alice_);
  ASSERT_EQ(listed["keys"].size(), 1u);
  const auto& shown = listed["keys"][0];
  EXPECT_EQ(shown["id"], key["id"]);
  EXPECT_EQ(shown["name"], "prod ingest");
  EXPECT_EQ(shown["prefix"], key["prefix"]);
  EXPECT_TRUE(shown["last_used_at"].is_null());
  EXPECT_FALSE(shown.contains("key"));
  EXPECT_EQ(listed.dump().find(secret.substr(11)), std::string::npos);
  EXPECT_EQ(listed["scopes"], json({"ingest", "read", "agent"}));

  // Bob sees none of Alice's keys and cannot delete them.
  EXPECT_TRUE(expect(200, "GET", "/api/keys", bob_)["keys"].empty());
  expect(404, "DELETE", "/api/keys/" + key["id"].get<std::string>(), bob_);

  // Using it records its last use (written in the background, within a moment).
  expect(200, "GET", "/api/workloads/summary", secret);
  json used;
  for (int i = 0; i < 50; ++i) {
    used = expect(200, "GET", "/api/keys", alice_)["keys"][0]["last_used_at"];
    if (!used.is_null()) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(used.is_number()) << "last_used_at was never recorded";
  EXPECT_NEAR(used.get<double>(), now_ms() / 1000.0, 60);

  // The key never reaches the log, neither when made nor when used.
  EXPECT_EQ(server_->process().output().find(secret.substr(11)), std::string::npos);
}

TEST_F(ApiKeysHttp, AKeyCallsOnlyTheRoutesItsScopesReach) {
  const std::string ingest = make_key(alice_, {"ingest"})["key"];
  // The one route an ingest key serves, on its owner's data.
  const auto stored = expect(200, "POST", "/api/workloads/events", ingest, events(5).dump());
  EXPECT_EQ(stored["accepted"], 5);
  const auto summary = expect(200, "GET", "/api/workloads/summary", alice_);
  EXPECT_EQ(requests_in(summary), 5);
  EXPECT_EQ(requests_in(expect(200, "GET", "/api/workloads/summary", bob_)), 0);

  // Elsewhere: 403 naming the scope it lacks, the RFC 6750 challenge with it.
  const auto refused = server_->call("GET", "/api/workloads/summary", "", ingest);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  const auto error = json::parse(refused->body)["error"];
  EXPECT_EQ(error["code"], "insufficient_scope");
  EXPECT_EQ(error["scope"], "read");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("'read'"));
  EXPECT_EQ(refused->header("www-authenticate"),
            "Bearer error=\"insufficient_scope\", scope=\"read\"");
  EXPECT_EQ(expect(403, "GET", "/api/threads", ingest)["error"]["scope"], "read");
  EXPECT_EQ(expect(403, "POST", "/api/threads", ingest, "{}")["error"]["scope"], "agent");
  EXPECT_EQ(expect(403, "GET", "/api/jobs", ingest)["error"]["scope"], "read");

  // A read key reads the owner's threads and changes nothing.
  const auto thread = expect(201, "POST", "/api/threads", alice_, R"({"title":"costs"})");
  const std::string read = make_key(alice_, {"read"})["key"];
  const auto threads = expect(200, "GET", "/api/threads", read);
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0]["id"], thread["id"]);
  EXPECT_EQ(expect(403, "POST", "/api/threads", read, "{}")["error"]["scope"], "agent");
  EXPECT_EQ(expect(403, "POST", "/api/workloads/events", read, events(1).dump())["error"]["scope"],
            "ingest");

  // An agent key converses: the thread it makes is its owner's.
  const std::string agent = make_key(alice_, {"agent", "read"})["key"];
  const auto made = expect(201, "POST", "/api/threads", agent, R"({"title":"from a key"})");
  const auto owned = expect(200, "GET", "/api/threads", alice_);
  EXPECT_EQ(owned.size(), 2u);
  expect(404, "GET", "/api/threads/" + made["id"].get<std::string>(), bob_);

  // No key manages keys, opens a socket, or acts as a signed-in session.
  for (const auto& key : {ingest, read, agent}) {
    EXPECT_EQ(
        expect(403, "POST", "/api/keys", key, R"({"name":"x","scopes":["read"]})")["error"]["code"],
        "api_key_not_allowed");
    EXPECT_EQ(expect(403, "GET", "/api/keys", key)["error"]["code"], "api_key_not_allowed");
    EXPECT_EQ(expect(403, "POST", "/api/websocket/ticket", key)["error"]["code"],
              "api_key_not_allowed");
  }
}

TEST_F(ApiKeysHttp, ADeletedKeyIsRefusedAtOnceAndAnUnknownOneIsAnInvalidToken) {
  const auto key = make_key(alice_, {"read"});
  const std::string secret = key["key"];
  expect(200, "GET", "/api/threads", secret);
  EXPECT_EQ(expect(200, "DELETE", "/api/keys/" + key["id"].get<std::string>(), alice_)["deleted"],
            key["id"]);
  const auto refused = server_->call("GET", "/api/threads", "", secret);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(json::parse(refused->body)["error"]["code"], "invalid_token");
  EXPECT_THAT(refused->header("www-authenticate"), HasSubstr("invalid_token"));
  expect(404, "DELETE", "/api/keys/" + key["id"].get<std::string>(), alice_);
  expect(401, "GET", "/api/threads", "nk_" + std::string(43, 'A'));
  expect(401, "GET", "/api/threads", "nk_");
  EXPECT_TRUE(expect(200, "GET", "/api/keys", alice_)["keys"].empty());
}

TEST_F(ApiKeysHttp, BadRequestsNameTheFieldAtFault) {
  auto fields = [&](const std::string& body) {
    return expect(400, "POST", "/api/keys", alice_, body)["error"]["fields"];
  };
  EXPECT_TRUE(fields(R"({"scopes":["read"]})").contains("name"));
  EXPECT_TRUE(fields(R"({"name":"   ","scopes":["read"]})").contains("name"));
  EXPECT_TRUE(
      fields(json{{"name", std::string(101, 'n')}, {"scopes", {"read"}}}.dump()).contains("name"));
  EXPECT_TRUE(fields(R"({"name":"x"})").contains("scopes"));
  EXPECT_TRUE(fields(R"({"name":"x","scopes":[]})").contains("scopes"));
  EXPECT_EQ(fields(R"({"name":"x","scopes":["admin"]})")["scopes"],
            "a non-empty list of: ingest, read, agent");
  EXPECT_TRUE(fields(R"({"name":"x","scopes":"read"})").contains("scopes"));
  EXPECT_EQ(fields(R"({"name":"x","scopes":["read"],"expires":1})")["expires"], "unknown field");
  expect(400, "POST", "/api/keys", alice_, "not json");
  expect(401, "POST", "/api/keys", "", R"({"name":"x","scopes":["read"]})");
  EXPECT_TRUE(expect(200, "GET", "/api/keys", alice_)["keys"].empty());
}

TEST_F(ApiKeysHttp, AUserHoldsAtMostTheConfiguredKeysAndEachKeyHasItsOwnRate) {
  start({"auth.api_keys_per_user=2", "auth.api_key_requests_per_minute=3"});
  const std::string first = make_key(alice_, {"read"})["key"];
  const std::string second = make_key(alice_, {"read"})["key"];
  EXPECT_EQ(expect(409, "POST", "/api/keys", alice_,
                   R"({"name":"x","scopes":["read"]})")["error"]["code"],
            "too_many_keys");
  make_key(bob_, {"read"});  // Bob's limit is his own

  for (int i = 0; i < 3; ++i) expect(200, "GET", "/api/threads", first);
  const auto limited = server_->call("GET", "/api/threads", "", first);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(json::parse(limited->body)["error"]["code"], "rate_limited");
  EXPECT_GT(std::stoi(limited->header("retry-after")), 0);
  // The other key, and the owner's access token, are not limited by it.
  expect(200, "GET", "/api/threads", second);
  for (int i = 0; i < 5; ++i) expect(200, "GET", "/api/threads", alice_);
}

}  // namespace
}  // namespace netra::testing
