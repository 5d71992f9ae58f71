#include "app/public_config_route.hpp"

#include "app/build_info.hpp"
#include "app/config.hpp"

namespace netra::app {

namespace asio = boost::asio;

void add_public_config_route(net::Router& router, const Config& config, nlohmann::json features) {
  const std::string body = nlohmann::json{
      {"environment", config.string("environment")},
      {"app_name", "Netra"},
      {"version", kVersion},
      {"features",
       std::move(features)}}.dump();
  router.add(
      "GET", "/api/config/public",
      [body](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
        co_return net::json_response(body);
      },
      net::RouteOptions{"", true});
}

}  // namespace netra::app
