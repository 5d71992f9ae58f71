// GET /api/threads/{id}/export against the real `netra serve`: the conversation in order as
// Markdown (the default) and as JSON, a download named after the thread, only for its owner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/netra_server.hpp"

namespace netra::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ExportHttp, AConversationDownloadsAsMarkdownOrJsonForItsOwnerOnly) {
  NetraServer server;
  const auto alice = server.sign_in("alice@example.com");
  const auto bob = server.sign_in("bob@example.com");
  const auto thread = server.expect(201, "POST", "/api/threads", alice,
                                    R"({"title":"Cut gpt-4o costs — last 30 days"})");
  const std::string id = thread["id"];
  for (const char* text : {"first question", "second question\nwith a **second** line"}) {
    server.expect(201, "POST", "/api/threads/" + id + "/messages", alice,
                  json{{"message", text}}.dump());
  }

  const auto markdown = server.call("GET", "/api/threads/" + id + "/export", "", alice);
  ASSERT_TRUE(markdown);
  ASSERT_EQ(markdown->status, 200) << markdown->body;
  EXPECT_EQ(markdown->header("content-type"), "text/markdown; charset=utf-8");
  EXPECT_EQ(markdown->header("content-disposition"),
            "attachment; filename=\"cut-gpt-4o-costs-last-30-days.md\"");
  EXPECT_THAT(markdown->body, StartsWith("# Cut gpt-4o costs — last 30 days\n"));
  EXPECT_THAT(markdown->body, HasSubstr("2 messages"));
  const auto first = markdown->body.find("first question");
  const auto second = markdown->body.find("second question\nwith a **second** line");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_THAT(markdown->body, HasSubstr("**You** · "));

  const auto exported = server.call("GET", "/api/threads/" + id + "/export?format=json", "", alice);
  ASSERT_TRUE(exported);
  ASSERT_EQ(exported->status, 200);
  EXPECT_EQ(exported->header("content-disposition"),
            "attachment; filename=\"cut-gpt-4o-costs-last-30-days.json\"");
  const auto document = json::parse(exported->body);
  EXPECT_EQ(document["thread"]["id"], id);
  EXPECT_EQ(document["total"], 2);
  EXPECT_EQ(document["truncated"], false);
  ASSERT_EQ(document["messages"].size(), 2u);
  EXPECT_EQ(document["messages"][0]["content"], "first question");
  EXPECT_EQ(document["messages"][1]["role"], "user");

  // Another user's thread is not found, like one that does not exist; bad input names the field.
  server.expect(404, "GET", "/api/threads/" + id + "/export", bob);
  server.expect(404, "GET", "/api/threads/thr_AAAAAAAAAAAAAAAAAAAAAA/export", alice);
  const auto bad = server.expect(400, "GET", "/api/threads/" + id + "/export?format=pdf", alice);
  EXPECT_EQ(bad["error"]["fields"]["format"], "markdown or json");
  server.expect(401, "GET", "/api/threads/" + id + "/export", "");

  // A read key exports; an ingest key may not.
  const std::string read = server.expect(201, "POST", "/api/keys", alice,
                                         R"({"name":"r","scopes":["read"]})")["key"]["key"];
  const std::string ingest = server.expect(201, "POST", "/api/keys", alice,
                                           R"({"name":"i","scopes":["ingest"]})")["key"]["key"];
  EXPECT_EQ(server.call("GET", "/api/threads/" + id + "/export", "", read)->status, 200);
  server.expect(403, "GET", "/api/threads/" + id + "/export", ingest);
}

}  // namespace
}  // namespace netra::testing
