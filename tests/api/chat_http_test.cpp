// The chat REST API end to end: the real `netra` binary, real HTTP, on SQLite and (when
// TEST_POSTGRES_URL is set) on PostgreSQL, with the same assertions. Users sign in through
// /auth/dev/login (development only) to keep argon2 out of the way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/netra_server.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/temp_dir.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::vector<std::string> backends() {
  std::vector<std::string> out{"sqlite"};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back("postgres");
  return out;
}

class ChatHttp : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres")
      scratch_ = std::make_unique<ScratchPostgresDatabase>("netra_chat_http");
    const std::string url =
        GetParam() == "sqlite" ? "sqlite:" + data_.file("netra.db") : scratch_->url();
    server_ = std::make_unique<NetraServer>(
        std::vector<std::string>{},
        std::map<std::string, std::string>{{"NETRA_DATABASE_URL", url}});
    alice_ = server_->sign_in("alice@example.com");
    bob_ = server_->sign_in("bob@example.com");
  }

  std::optional<TestResponse> call(const std::string& method, const std::string& target,
                                   const std::string& body = "", const std::string& token = "") {
    return server_->call(method, target, body, token);
  }
  // A JSON answer with the expected status; fails the test otherwise.
  json expect(int status, const std::string& method, const std::string& target,
              const std::string& token, const std::string& body = "") {
    return server_->expect(status, method, target, token, body);
  }
  std::string new_thread(const std::string& token, const json& body = json::object()) {
    return expect(201, "POST", "/api/threads", token, body.dump())["id"];
  }

  TempDir data_;
  std::unique_ptr<ScratchPostgresDatabase> scratch_;  // destroyed after the server stops
  std::unique_ptr<NetraServer> server_;
  std::string alice_;
  std::string bob_;
};

TEST_P(ChatHttp, ThreadsAreCreatedReadUpdatedAndArchived) {
  const auto created = expect(201, "POST", "/api/threads", alice_,
                              R"({"title":"Cut costs","metadata":{"source":"test"}})");
  const std::string id = created["id"];
  EXPECT_EQ(id.rfind("thr_", 0), 0u);
  EXPECT_EQ(created["object"], "thread");
  EXPECT_EQ(created["title"], "Cut costs");
  EXPECT_EQ(created["metadata"], json({{"source", "test"}}));
  EXPECT_EQ(created["message_count"], 0);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(created["created_at"].get<double>(), static_cast<double>(now), 5.0)
      << "times are Unix seconds";

  EXPECT_EQ(expect(200, "GET", "/api/threads/" + id, alice_), created);
  const auto renamed =
      expect(200, "PUT", "/api/threads/" + id, alice_, R"({"title":"Cut LLM costs"})");
  EXPECT_EQ(renamed["title"], "Cut LLM costs");
  EXPECT_EQ(renamed["metadata"], json({{"source", "test"}})) << "absent fields keep their value";
  const auto untitled = new_thread(alice_);
  EXPECT_TRUE(expect(200, "GET", "/api/threads/" + untitled, alice_)["title"].is_null());

  expect(200, "DELETE", "/api/threads/" + id, alice_);
  expect(404, "GET", "/api/threads/" + id, alice_);
  expect(404, "DELETE", "/api/threads/" + id, alice_);
  const auto listed = expect(200, "GET", "/api/threads", alice_);
  ASSERT_EQ(listed.size(), 1u) << "the archived thread left the list";
  EXPECT_EQ(listed[0]["id"], untitled);
}

TEST_P(ChatHttp, ListsArePagedNewestActivityFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(new_thread(alice_, {{"title", "t" + std::to_string(i)}}));
  // A message makes the oldest thread the most recently active.
  expect(201, "POST", "/api/threads/" + ids[0] + "/messages", alice_, R"({"message":"hi"})");
  const auto all = expect(200, "GET", "/api/threads", alice_);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0]["id"], ids[0]);
  EXPECT_EQ(all[0]["message_count"], 1);
  const auto page = expect(200, "GET", "/api/threads?limit=2&offset=1", alice_);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0]["id"], all[1]["id"]);
  EXPECT_EQ(page[1]["id"], all[2]["id"]);
  EXPECT_EQ(expect(200, "GET", "/api/threads?offset=4", alice_).size(), 1u);
  EXPECT_EQ(expect(200, "GET", "/api/threads?offset=9", alice_).size(), 0u);
  for (const char* bad : {"limit=0", "limit=101", "limit=ten", "offset=-1", "limit=5x"}) {
    const auto refused = expect(400, "GET", std::string("/api/threads?") + bad, alice_);
    EXPECT_EQ(refused["error"]["code"], "invalid_request") << bad;
    EXPECT_TRUE(refused["error"]["fields"].contains(
        std::string(bad).substr(0, 5) == "limit" ? "limit" : "offset"))
        << bad;
  }
}

TEST_P(ChatHttp, MessagesAreCommittedAndListedOldestFirst) {
  const auto id = new_thread(alice_);
  std::vector<std::string> sent;
  for (int i = 0; i < 7; ++i) {
    const auto m =
        expect(201, "POST", "/api/threads/" + id + "/messages", alice_,
               json{{"message", "message " + std::to_string(i)}, {"metadata", {{"n", i}}}}.dump());
    EXPECT_EQ(m["role"], "user");
    EXPECT_EQ(m["thread_id"], id);
    EXPECT_EQ(m["content"], "message " + std::to_string(i));
    sent.push_back(m["id"]);
  }
  const auto page = expect(200, "GET", "/api/threads/" + id + "/messages?limit=3&offset=2", alice_);
  EXPECT_EQ(page["thread_id"], id);
  EXPECT_EQ(page["total"], 7);
  EXPECT_EQ(page["limit"], 3);
  EXPECT_EQ(page["offset"], 2);
  ASSERT_EQ(page["messages"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(page["messages"][i]["id"], sent[i + 2]) << "oldest first, in the order sent";
    EXPECT_EQ(page["messages"][i]["metadata"]["n"], static_cast<int>(i + 2));
    EXPECT_TRUE(page["messages"][i]["run_id"].is_null());
  }
  EXPECT_EQ(expect(200, "GET", "/api/threads/" + id, alice_)["message_count"], 7);
  EXPECT_EQ(expect(200, "GET", "/api/threads/" + id + "/runs", alice_)["runs"].size(), 0u);
}

TEST_P(ChatHttp, BadInputIsRefusedFieldByFieldBeforeAnyQuery) {
  const auto id = new_thread(alice_);
  auto fields_of = [&](const std::string& method, const std::string& target,
                       const std::string& body) {
    return expect(400, method, target, alice_, body)["error"]["fields"];
  };
  EXPECT_TRUE(fields_of("POST", "/api/threads", json{{"title", std::string(201, 'a')}}.dump())
                  .contains("title"));
  std::string accented;  // 200 two-byte characters: 400 bytes, within the 200-character limit
  for (int i = 0; i < 200; ++i) accented += "\xc3\xa9";
  expect(201, "POST", "/api/threads", alice_, json{{"title", accented}}.dump());
  EXPECT_TRUE(fields_of("POST", "/api/threads", R"({"metadata":[1,2]})").contains("metadata"));
  EXPECT_TRUE(fields_of("POST", "/api/threads",
                        json{{"metadata", {{"big", std::string(8 * 1024, 'x')}}}}.dump())
                  .contains("metadata"));
  EXPECT_EQ(fields_of("POST", "/api/threads", R"({"owner_id":"usr_x"})")["owner_id"],
            "unknown field");
  const auto messages = "/api/threads/" + id + "/messages";
  EXPECT_TRUE(fields_of("POST", messages, R"({"message":""})").contains("message"));
  EXPECT_TRUE(fields_of("POST", messages, R"({})").contains("message"));
  EXPECT_TRUE(fields_of("POST", messages, json{{"message", std::string(32 * 1024 + 1, 'a')}}.dump())
                  .contains("message"));
  expect(201, "POST", messages, alice_, json{{"message", std::string(32 * 1024, 'a')}}.dump());
  EXPECT_EQ(expect(400, "POST", messages, alice_, "not json")["error"]["code"], "invalid_request");
  EXPECT_EQ(expect(400, "POST", messages, alice_, "{\"message\":\"\xff\xfe\"}")["error"]["code"],
            "invalid_request")
      << "invalid UTF-8";
  EXPECT_TRUE(fields_of("GET", "/api/threads/not-an-id", "").contains("id"));
  EXPECT_TRUE(fields_of("GET", "/api/threads/thr_'%20OR%201=1--", "").contains("id"));
  EXPECT_TRUE(fields_of("GET", "/api/runs/run_short", "").contains("run_id"));
}

TEST_P(ChatHttp, AnotherUsersThreadsAreNotFoundByEveryRoute) {
  const auto id = new_thread(alice_, {{"title", "alice's"}});
  expect(201, "POST", "/api/threads/" + id + "/messages", alice_, R"({"message":"private"})");
  const auto thread = "/api/threads/" + id;
  for (const auto& [method, target, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", thread, ""},
           {"PUT", thread, R"({"title":"mine now"})"},
           {"DELETE", thread, ""},
           {"GET", thread + "/messages", ""},
           {"POST", thread + "/messages", R"({"message":"hello"})"},
           {"GET", thread + "/runs", ""}}) {
    const auto refused = expect(404, method, target, bob_, body);
    EXPECT_EQ(refused["error"]["code"], "not_found") << method << " " << target;
  }
  // A missing thread answers exactly like another user's: existence does not leak.
  const auto missing = call("GET", "/api/threads/thr_AAAAAAAAAAAAAAAAAAAAAA", "", bob_);
  const auto others = call("GET", thread, "", bob_);
  EXPECT_EQ(missing->status, others->status);
  EXPECT_EQ(json::parse(missing->body)["error"]["code"],
            json::parse(others->body)["error"]["code"]);
  EXPECT_EQ(expect(200, "GET", "/api/threads", bob_).size(), 0u);
  // Alice's thread is untouched.
  const auto still = expect(200, "GET", thread, alice_);
  EXPECT_EQ(still["title"], "alice's");
  EXPECT_EQ(still["message_count"], 1);
}

TEST_P(ChatHttp, EveryChatRouteNeedsAToken) {
  const auto id = new_thread(alice_);
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/threads"},
           {"POST", "/api/threads"},
           {"GET", "/api/threads/" + id},
           {"PUT", "/api/threads/" + id},
           {"DELETE", "/api/threads/" + id},
           {"GET", "/api/threads/" + id + "/messages"},
           {"POST", "/api/threads/" + id + "/messages"},
           {"GET", "/api/threads/" + id + "/runs"},
           {"GET", "/api/runs/run_AAAAAAAAAAAAAAAAAAAAAA"}}) {
    auto r = call(method, target, "{}");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << method << " " << target;
  }
}

TEST_P(ChatHttp, PublicConfigAndTheOpenApiDocumentDescribeEveryRoute) {
  const auto config = call("GET", "/api/config/public");
  ASSERT_EQ(config->status, 200);
  const auto c = json::parse(config->body);
  EXPECT_EQ(c["environment"], "development");
  EXPECT_EQ(c["app_name"], "Netra");
  EXPECT_EQ(c["version"], "0.1.0");
  EXPECT_EQ(c["features"]["auth"], "embedded");
  EXPECT_EQ(c["features"]["chat"], true);
  EXPECT_EQ(c["features"]["websocket"], true);
  EXPECT_EQ(c["features"]["agents"], true);
  const auto doc = call("GET", "/openapi.json");
  ASSERT_EQ(doc->status, 200);
  const auto d = json::parse(doc->body);
  EXPECT_EQ(d["openapi"], "3.1.0");
  for (const char* path : {"/api/threads", "/api/threads/{id}", "/api/threads/{id}/messages",
                           "/api/threads/{id}/runs", "/api/runs/{run_id}", "/api/config/public",
                           "/auth/login", "/health/ready", "/api/websocket/ticket", "/ws"}) {
    EXPECT_TRUE(d["paths"].contains(path)) << path;
  }
  // The server compares its router with the document at start-up and names what is missing.
  EXPECT_THAT(server_->process().output(), ::testing::Not(HasSubstr("missing from /openapi.json")));
}

INSTANTIATE_TEST_SUITE_P(Backends, ChatHttp, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::testing
