// The OpenAPI document against a router: a route it does not describe is named.
#include "api/openapi.hpp"

#include <gtest/gtest.h>

namespace netra::api {
namespace {

net::Handler ok() {
  return [](net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
    co_return net::json_response("{}");
  };
}

TEST(OpenApi, NamesEveryRouteTheDocumentLacks) {
  net::Router router;
  router.add("GET", "/api/threads", ok());
  router.add("GET", "/api/threads/{id}", ok());
  router.add("PATCH", "/api/threads/{id}", ok());  // a method the document does not list
  router.add("GET", "/api/undocumented", ok());
  EXPECT_EQ(undocumented_routes(router),
            (std::vector<std::string>{"PATCH /api/threads/{id}", "GET /api/undocumented"}));
}

TEST(OpenApi, IsAnOpenApi31DocumentWithResponsesForEveryOperation) {
  const auto& doc = openapi_document();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const auto& [path, item] : doc["paths"].items()) {
    ASSERT_EQ(path.front(), '/') << path;
    for (const auto& [method, operation] : item.items()) {
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
      EXPECT_TRUE(operation.contains("summary")) << method << " " << path;
      if (path.find("{id}") != std::string::npos) {
        EXPECT_TRUE(operation.contains("parameters")) << method << " " << path;
      }
    }
  }
  EXPECT_TRUE(doc["paths"]["/api/threads"]["get"].contains("security"));
  EXPECT_FALSE(doc["paths"]["/api/config/public"]["get"].contains("security"));
}

}  // namespace
}  // namespace netra::api
