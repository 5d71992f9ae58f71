#include "api/catalog_routes.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "analytics/catalog_overlay.hpp"
#include "api/administrators.hpp"
#include "core/clock.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "telemetry/logging.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;

constexpr std::chrono::seconds kStoreBudget{5};

asio::awaitable<HttpResponse> list_models(analytics::CatalogOverlay& overlay, HttpRequest&) {
  // What another instance set is read first; without the database the installed list answers.
  co_await overlay.refresh(core::Deadline::after(kStoreBudget));
  json models = json::array();
  for (const auto& entry : analytics::installed_catalog().models) {
    auto item = analytics::to_json(entry);
    item["source"] = overlay.overridden(entry.id) ? "administrator" : "catalog";
    models.push_back(std::move(item));
  }
  co_return net::json_response(json{{"models", std::move(models)}}.dump());
}

std::string today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%d}", std::chrono::sys_days(now));
}

asio::awaitable<HttpResponse> put_model(analytics::CatalogOverlay& overlay,
                                        const std::vector<std::string>& admins,
                                        auth::AuthState& auth, HttpRequest& r) {
  if (auto refused = co_await refuse_unless_administrator(r, admins, auth)) {
    co_return std::move(*refused);
  }
  const auto& id = r.path_params.at("id");
  auto body = net::json_object_body(r);
  if (!body) co_return body.error();
  if (const auto named = body->find("id");
      named != body->end() && (!named->is_string() || named->get<std::string>() != id)) {
    co_return net::json_error(400, "invalid_catalog_entry",
                              "the body's id, when given, is the id in the path");
  }
  if (!body->contains("checked")) (*body)["checked"] = today_utc();
  auto entry = analytics::parse_catalog_entry(id, *body);
  if (!entry) co_return net::json_error(400, "invalid_catalog_entry", entry.error());
  auto answer = analytics::to_json(entry.value());
  auto failed = co_await overlay.put(std::move(entry.value()), r.user_id, core::unix_ms_now(),
                                     core::Deadline::after(kStoreBudget));
  if (failed) {
    if (failed->invalid) co_return net::json_error(400, "invalid_catalog_entry", failed->message);
    telemetry::logger("api")->warn("model catalog entry {} could not be stored: {}", id,
                                   failed->message);
    co_return net::json_error(503, "store_unavailable",
                              "the catalog could not be stored; try again shortly");
  }
  telemetry::logger("api")->info("model catalog entry {} set by {}: {}", id, r.user_id,
                                 answer.dump());
  answer["source"] = "administrator";
  co_return net::json_response(answer.dump());
}

}  // namespace

void add_catalog_routes(net::Router& router, std::shared_ptr<analytics::CatalogOverlay> overlay,
                        std::vector<std::string> admin_emails, auth::AuthState& auth) {
  net::RouteOptions read{.needs_component = "api", .authenticated = true, .key_scope = "read"};
  router.add(
      "GET", "/api/catalog/models", [overlay](HttpRequest& r) { return list_models(*overlay, r); },
      read);
  // No key_scope: an API key cannot change prices.
  net::RouteOptions write{.needs_component = "auth_service", .authenticated = true};
  write.body_limit = 4 * 1024;
  router.add(
      "PUT", "/api/catalog/models/{id}",
      [overlay, admins = std::move(admin_emails), &auth](HttpRequest& r) {
        return put_model(*overlay, admins, auth, r);
      },
      write);
}

}  // namespace netra::api
