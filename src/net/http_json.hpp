// JSON over the one HTTP client: GET a document — what fetching a key set (JWKS) or an OpenID
// provider's discovery document needs, a 200 whose body is a JSON object, else why not — and POST
// one (spans to a collector, a warning to a webhook).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "core/deadline.hpp"
#include "core/result.hpp"
#include "net/http_client.hpp"

namespace netra::net {

// The object, or a message naming the URL (without its query) and what was wrong.
asio::awaitable<core::Result<nlohmann::json, std::string>> get_json_object(HttpClient& client,
                                                                           std::string url,
                                                                           core::Deadline deadline);

// POSTs `body` as application/json: "" when answered 2xx, else what went wrong (never the body).
asio::awaitable<std::string> post_json(HttpClient& client, std::string url, std::string body,
                                       core::Deadline deadline);

}  // namespace netra::net
