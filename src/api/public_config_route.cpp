#include "api/public_config_route.hpp"

#include "core/build_info.hpp"

namespace netra::api {

namespace asio = boost::asio;

void add_public_config_route(net::Router& router, const std::string& environment,
                             nlohmann::json features) {
  const std::string body = nlohmann::json{
      {"environment", environment},
      {"app_name", "Netra"},
      {"version", core::kVersion},
      {"features",
       std::move(features)}}.dump();
  router.add("GET", "/api/config/public",
             [body](net::HttpRequest&) -> net::HttpResponse { return net::json_response(body); });
}

}  // namespace netra::api
