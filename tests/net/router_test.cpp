#include "net/router.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace netra::net {
namespace {

Handler ok() {
  return [](HttpRequest&) -> asio::awaitable<HttpResponse> { co_return json_response("{}"); };
}

TEST(Router, MatchesTemplatesAndExtractsParameters) {
  Router router;
  router.add("GET", "/api/threads/{id}/messages", ok());
  router.add("GET", "/api/threads/{id}", ok());
  auto m = router.match("GET", "/api/threads/t_42/messages");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route->label, "GET /api/threads/{id}/messages");
  EXPECT_EQ(m.params["id"], "t_42");
  EXPECT_EQ(router.match("GET", "/api/threads/").outcome, Router::Outcome::not_found);
  EXPECT_EQ(router.match("GET", "/api/threads").outcome, Router::Outcome::not_found);
}

TEST(Router, WrongMethodListsWhatIsAllowed) {
  Router router;
  router.add("GET", "/api/threads", ok());
  router.add("POST", "/api/threads", ok());
  auto m = router.match("DELETE", "/api/threads");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST(Router, HeadUsesTheGetRoute) {
  Router router;
  router.add("GET", "/health/live", ok());
  auto m = router.match("HEAD", "/health/live");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route->method, "GET");
}

// Routes with and without parameters are found in different indexes; the route added first still
// answers a path both match, and the methods of both are allowed.
TEST(Router, TheFirstRouteAddedAnswersWhetherItHasParametersOrNot) {
  Router router;
  router.add("GET", "/a/{x}", ok());
  router.add("GET", "/a/b", ok());
  router.add("GET", "/c/d", ok());
  router.add("GET", "/c/{x}", ok());
  router.add("PUT", "/c/{x}", ok());
  router.add("POST", "/c/d", ok());
  EXPECT_EQ(router.match("GET", "/a/b").route->label, "GET /a/{x}");
  EXPECT_EQ(router.match("GET", "/c/d").route->label, "GET /c/d");
  EXPECT_EQ(router.match("GET", "/c/e").route->label, "GET /c/{x}");
  EXPECT_EQ(router.match("PUT", "/c/d").route->label, "PUT /c/{x}");
  EXPECT_EQ(router.match("POST", "/c/d").route->label, "POST /c/d");
  auto refused = router.match("DELETE", "/c/d");
  EXPECT_EQ(refused.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(refused.allow, "GET, HEAD, POST, PUT");
  EXPECT_EQ(router.match("DELETE", "/c/e").allow, "GET, HEAD, PUT");
  EXPECT_EQ(router.match("GET", "/c/d/").outcome, Router::Outcome::not_found);
  EXPECT_EQ(router.match("GET", "/c//").outcome, Router::Outcome::not_found);
  EXPECT_EQ(router.match("GET", "/a/b/c").outcome, Router::Outcome::not_found);
}

TEST(Router, RejectsDuplicatesAndBadPatterns) {
  Router router;
  router.add("GET", "/a", ok());
  EXPECT_THROW(router.add("GET", "/a", ok()), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "a", ok()), std::invalid_argument);
}

TEST(HttpRequest, QueryParametersAreDecoded) {
  HttpRequest r;
  r.query = "limit=20&q=hello+world%21&empty=";
  EXPECT_EQ(r.query_param("limit"), "20");
  EXPECT_EQ(r.query_param("q"), "hello world!");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("missing"), "");
}

}  // namespace
}  // namespace netra::net
