#include "api/status_routes.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "api/administrators.hpp"
#include "core/embedded_file.hpp"
#include "core/health_registry.hpp"
#include "net/health_routes.hpp"
#include "net/json_error.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;

// The page's own files: the script and style from here only, nothing inline, no framing.
HttpResponse asset_response(const StatusAsset& asset) {
  HttpResponse response;
  response.body = asset.text;
  response.content_type = asset.content_type;
  response.with_header("Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; "
                       "connect-src 'self'; img-src 'self' data:; form-action 'none'; "
                       "frame-ancestors 'none'; base-uri 'none'");
  response.with_header("X-Content-Type-Options", "nosniff");
  response.with_header("Cache-Control", "no-cache");
  return response;
}

nlohmann::json feed(const StatusSource& source, bool administrator) {
  const auto whole = source.report();
  const bool draining = source.draining();
  // What anyone may see of the errors is what /health shows anyone: coarse marks.
  const auto report = administrator ? whole : core::public_view(whole);
  nlohmann::json details = nlohmann::json::object();
  if (source.registry != nullptr) {
    for (auto& [component, entry] : source.registry->details()) details[component] = entry;
  }
  nlohmann::json loops = nlohmann::json::array();
  for (const auto& lag : source.loop_lags()) {
    loops.push_back({{"loop", lag.loop},
                     {"last_ms", lag.last_seconds * 1000},
                     {"recent_max_ms", lag.recent_max_seconds * 1000}});
  }
  nlohmann::json out = {{"instance", {{"version", source.version}, {"commit", source.commit}}},
                        {"status", net::overall_status(whole, draining)},
                        {"ready", net::not_ready_reasons(whole, draining, source.registry).empty()},
                        {"reasons", net::not_ready_reasons(report, draining, source.registry)},
                        {"startup", core::to_json(report)},
                        {"breakers", net::breakers_json(source.registry)},
                        {"pools", net::pools_json(source.registry)},
                        {"loops", std::move(loops)},
                        // As /health lists them, to anyone who may read /health.
                        {"warnings", source.registry != nullptr ? source.registry->warnings()
                                                                : nlohmann::json::array()},
                        {"details", std::move(details)}};
  // Log lines may name hosts, users and paths: administrators only.
  if (administrator) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : source.problems()) {
      problems.push_back({{"time", p.unix_seconds},
                          {"level", p.level},
                          {"logger", p.logger},
                          {"message", p.message}});
    }
    out["problems"] = std::move(problems);
  } else {
    out["problems"] = nullptr;
  }
  return out;
}

}  // namespace

namespace detail {
const std::vector<core::EmbeddedFile>& status_page_files();  // api/status_page/status.*
}  // namespace detail

const std::vector<StatusAsset>& status_assets() {
  static const std::vector<StatusAsset> assets = [] {
    std::vector<StatusAsset> out;
    for (const auto& file : detail::status_page_files()) {
      const std::string name(file.name);
      if (name.ends_with(".html")) {
        out.push_back({"/status", "text/html; charset=utf-8", file.text});
      } else if (name.ends_with(".css")) {
        out.push_back({"/status/" + name, "text/css; charset=utf-8", file.text});
      } else if (name.ends_with(".js")) {
        out.push_back({"/status/" + name, "text/javascript; charset=utf-8", file.text});
      } else {
        throw std::logic_error("the /status page has a file of no known type: " + name);
      }
    }
    return out;
  }();
  return assets;
}

void add_status_routes(net::Router& router, StatusSource source, StatusPageOptions options,
                       auth::AuthState& auth) {
  for (const auto& asset : status_assets()) {
    router.add("GET", asset.path,
               [&asset](HttpRequest&) -> HttpResponse { return asset_response(asset); });
  }
  if (options.public_page) {
    router.add("GET", "/status/feed", [source](HttpRequest&) -> HttpResponse {
      auto response = net::json_response(feed(source, false).dump());
      response.with_header("Cache-Control", "no-store");
      return response;
    });
    return;
  }
  router.add("GET", "/status/feed",
             [source, admins = options.admin_emails,
              &auth](HttpRequest& request) -> asio::awaitable<HttpResponse> {
               if (auto refused = co_await refuse_unless_administrator(request, admins, auth)) {
                 if (admins.empty()) {
                   co_return net::json_error(403, "not_an_administrator",
                                             "no administrator is configured: list their emails in "
                                             "auth.admin_emails, or set monitoring.status_public");
                 }
                 co_return std::move(*refused);
               }
               auto response = net::json_response(feed(source, true).dump());
               response.with_header("Cache-Control", "no-store");
               co_return response;
             },
             {.needs_component = "auth_service", .authenticated = true});
}

}  // namespace netra::api
