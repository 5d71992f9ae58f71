#include "api/key_routes.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/chat_json.hpp"
#include "api/error_response.hpp"
#include "auth/api_key_verifier.hpp"
#include "core/utf8.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;

constexpr size_t kMaxNameCodePoints = 100;
constexpr std::chrono::seconds kStoreBudget{5};

json scope_names() {
  json names = json::array();
  for (const auto scope : auth::kApiKeyScopes) names.push_back(std::string(scope));
  return names;
}

// A key as its owner sees it: never the key, nor its hash.
json key_json(const auth::ApiKey& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"prefix", key.prefix},
          {"scopes", key.scopes},
          {"created_at", key.created_at / 1000},
          {"last_used_at", unix_seconds_or_null(key.last_used_at)}};
}

struct NewKey {
  std::string name;
  std::vector<std::string> scopes;
};

core::Result<NewKey, HttpResponse> parse_new_key(const HttpRequest& r) {
  auto body = net::json_object_body(r);
  if (!body) return body.error();
  json fields = json::object();
  NewKey key;
  const auto name = body->find("name");
  if (name == body->end() || !name->is_string()) {
    fields["name"] = "required, a string";
  } else {
    key.name = name->get<std::string>();
    const bool valid = core::is_valid_utf8(key.name) && key.name.find('\0') == std::string::npos;
    if (!valid || key.name.find_first_not_of(" \t\r\n") == std::string::npos ||
        core::count_code_points(key.name) > kMaxNameCodePoints) {
      fields["name"] = fmt::format("1 to {} characters of text", kMaxNameCodePoints);
    }
  }
  const auto scopes = body->find("scopes");
  const std::string expected = "a non-empty list of: ingest, read, agent";
  if (scopes == body->end() || !scopes->is_array() || scopes->empty() || scopes->size() > 8) {
    fields["scopes"] = expected;
  } else {
    for (const auto& scope : *scopes) {
      if (!scope.is_string() || !auth::is_api_key_scope(scope.get<std::string>())) {
        fields["scopes"] = expected;
        break;
      }
      key.scopes.push_back(scope.get<std::string>());
    }
  }
  net::reject_unknown_fields(*body, {"name", "scopes"}, fields);
  if (!fields.empty()) return net::invalid_fields(fields);
  return key;
}

asio::awaitable<HttpResponse> create_key(auth::ApiKeyVerifier& keys, ApiKeyLimits limits,
                                         HttpRequest& r) {
  auto request = parse_new_key(r);
  if (!request) co_return request.error();
  auto made = co_await keys.store().create(
      r.user_id, std::move(request->name), std::move(request->scopes),
      static_cast<int64_t>(limits.per_user), core::Deadline::after(kStoreBudget));
  if (!made) co_return error_response(made.error(), r.request_id);
  if (!made->has_value()) {
    co_return net::json_error(
        409, "too_many_keys",
        fmt::format("you hold {} API keys, the most allowed; delete one first", limits.per_user));
  }
  auto answer = key_json((*made)->key);
  answer["key"] = (*made)->secret;  // the one time it is shown
  co_return net::json_response(json{{"key", std::move(answer)}}.dump(), 201)
      .with_header("Location", "/api/keys/" + (*made)->key.id)
      .with_header("Cache-Control", "no-store");
}

asio::awaitable<HttpResponse> list_keys(auth::ApiKeyVerifier& keys, HttpRequest& r) {
  auto found = co_await keys.store().list(r.user_id, core::Deadline::after(kStoreBudget));
  if (!found) co_return error_response(found.error(), r.request_id);
  auto list = json::array();
  for (const auto& key : *found) list.push_back(key_json(key));
  co_return net::json_response(json{{"keys", std::move(list)}, {"scopes", scope_names()}}.dump());
}

asio::awaitable<HttpResponse> delete_key(auth::ApiKeyVerifier& keys, HttpRequest& r) {
  const auto& id = r.path_params.at("id");
  if (id.size() > 64) co_return net::json_error(404, "not_found", "no such API key");
  auto removed = co_await keys.remove(r.user_id, id, core::Deadline::after(kStoreBudget));
  if (!removed) co_return error_response(removed.error(), r.request_id);
  if (!*removed) co_return net::json_error(404, "not_found", "no such API key");
  co_return net::json_response(json{{"deleted", id}}.dump());
}

}  // namespace

void add_key_routes(net::Router& router, std::shared_ptr<auth::ApiKeyVerifier> keys,
                    ApiKeyLimits limits) {
  // No key_scope: a key cannot manage keys.
  net::RouteOptions route{.needs_component = "api", .authenticated = true};
  auto small_body = route;
  small_body.body_limit = 4 * 1024;
  router.add(
      "POST", "/api/keys", [keys, limits](HttpRequest& r) { return create_key(*keys, limits, r); },
      small_body);
  router.add(
      "GET", "/api/keys", [keys](HttpRequest& r) { return list_keys(*keys, r); }, route);
  router.add(
      "DELETE", "/api/keys/{id}", [keys](HttpRequest& r) { return delete_key(*keys, r); }, route);
}

}  // namespace netra::api
