// /status and /status/feed against the real `netra serve`: the page and its files are served with
// a policy that allows no inline script and no other origin; the feed answers administrators
// (auth.admin_emails, compared without case) and refuses everyone else, unless
// monitoring.status_public opens it — then with errors reduced to coarse marks and no log lines.
// tests/browser/status_browser_test.py drives the page itself in Chromium.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/netra_server.hpp"

namespace netra::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A ClickHouse nobody answers at: the clickhouse component ends degraded with an error naming it.
constexpr const char* kDeadClickHouse = "analytics.url=http://127.0.0.1:9";

TEST(StatusPage, ThePageAndItsFilesAreServedWithAStrictPolicy) {
  NetraServer server({"auth.dev_login=true"});
  for (const auto& [path, type] :
       std::vector<std::pair<std::string, std::string>>{{"/status", "text/html"},
                                                        {"/status/status.js", "text/javascript"},
                                                        {"/status/status.css", "text/css"}}) {
    const auto answer = server.call("GET", path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 200) << path;
    EXPECT_THAT(answer->header("content-type"), HasSubstr(type)) << path;
    EXPECT_THAT(answer->header("content-security-policy"), HasSubstr("script-src 'self'"));
    EXPECT_THAT(answer->header("content-security-policy"), Not(HasSubstr("unsafe-inline")));
    EXPECT_EQ(answer->header("x-content-type-options"), "nosniff");
  }
  EXPECT_THAT(server.call("GET", "/status")->body, HasSubstr("/status/status.js"));
}

TEST(StatusPage, TheFeedAnswersAdministratorsOnly) {
  NetraServer server({"auth.dev_login=true", "auth.admin_emails=Ops@Example.com", kDeadClickHouse});
  server.expect(401, "GET", "/status/feed", "");
  const auto refused = server.expect(403, "GET", "/status/feed", server.sign_in("dev@example.com"));
  EXPECT_EQ(refused["error"]["code"], "not_an_administrator");

  const auto feed = server.expect(200, "GET", "/status/feed", server.sign_in("ops@example.com"));
  std::vector<std::string> names;
  for (const auto& c : feed["startup"]["components"]) names.push_back(c["name"]);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"database", "api", "auth_service", "clickhouse"}));
  EXPECT_TRUE(feed["ready"].get<bool>());
  EXPECT_FALSE(feed["startup"]["critical_chain"].empty());
  ASSERT_FALSE(feed["loops"].empty());
  EXPECT_GE(feed["loops"][0]["recent_max_ms"].get<double>(), 0);
  EXPECT_TRUE(feed["problems"].is_array());
  EXPECT_TRUE(feed["details"].contains("background_tasks"));
}

TEST(StatusPage, NoAdministratorConfiguredRefusesEveryoneAndSaysWhy) {
  NetraServer server({"auth.dev_login=true"});
  const auto refused = server.expect(403, "GET", "/status/feed", server.sign_in("ops@example.com"));
  EXPECT_THAT(refused["error"]["message"].get<std::string>(), HasSubstr("auth.admin_emails"));
}

TEST(StatusPage, APublicFeedShowsStatesButNeitherErrorTextsNorLogLines) {
  NetraServer server({"monitoring.status_public=true", kDeadClickHouse});
  // The clickhouse component settles degraded after its attempts.
  nlohmann::json feed;
  for (int i = 0; i < 100; ++i) {
    feed = server.expect(200, "GET", "/status/feed", "");
    bool degraded = false;
    for (const auto& c : feed["startup"]["components"]) {
      degraded |= c["name"] == "clickhouse" && c["state"] == "degraded";
    }
    if (degraded) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(feed["status"], "degraded");
  EXPECT_TRUE(feed["problems"].is_null());
  EXPECT_THAT(feed.dump(), Not(HasSubstr("127.0.0.1:9")));
}

}  // namespace
}  // namespace netra::testing
