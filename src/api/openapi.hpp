// The OpenAPI 3.1 description of the HTTP API, served at /openapi.json. Written by hand — it is
// the contract, not a dump of the router — and checked against the router: every route the
// service serves must appear in it (undocumented_routes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/router.hpp"

namespace netra::api {

// Built on each call (a few hundred kilobytes of nlohmann nodes, about 2 ms): /openapi.json keeps
// only its text, made at the first request, and release start-ups do not build it at all.
nlohmann::json openapi_document();

// "METHOD /path" of each route in `router` that the document does not describe.
std::vector<std::string> undocumented_routes(const net::Router& router,
                                             const nlohmann::json& document = openapi_document());

// GET /openapi.json.
void add_openapi_route(net::Router& router);

}  // namespace netra::api
