#include "net/json_body.hpp"

#include <algorithm>

#include "net/json_error.hpp"

namespace netra::net {

core::Result<nlohmann::json, HttpResponse> json_object_body(const HttpRequest& request,
                                                            bool empty_is_object) {
  if (empty_is_object && request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return nlohmann::json::object();
  }
  auto body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return json_error(400, "invalid_request", "the body must be a JSON object");
  }
  return body;
}

void reject_unknown_fields(const nlohmann::json& body,
                           std::initializer_list<std::string_view> allowed,
                           nlohmann::json& fields) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fields[key] = "unknown field";
    }
  }
}

HttpResponse invalid_fields(const nlohmann::json& fields) {
  return json_error(400, "invalid_request", "the request body is not valid", {{"fields", fields}});
}

}  // namespace netra::net
