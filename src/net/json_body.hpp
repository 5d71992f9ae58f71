// Request bodies of the JSON API: one way to read a body as a JSON object and to answer 400
// invalid_request with a message per field ({"error":{"code":"invalid_request","message",
// "fields":{"title":"at most 200 characters"}}}).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"
#include "net/http_message.hpp"

namespace netra::net {

// The body parsed as a JSON object, or the 400 to answer. An empty body is {} when
// `empty_is_object` (routes whose fields are all optional).
core::Result<nlohmann::json, HttpResponse> json_object_body(const HttpRequest& request,
                                                            bool empty_is_object = false);

// Records "unknown field" in `fields` for each key of `body` not in `allowed`.
void reject_unknown_fields(const nlohmann::json& body,
                           std::initializer_list<std::string_view> allowed, nlohmann::json& fields);

// 400 invalid_request listing `fields` (an object: field name → what is wrong).
HttpResponse invalid_fields(const nlohmann::json& fields);

}  // namespace netra::net
