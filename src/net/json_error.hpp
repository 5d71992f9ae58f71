// json_error: the one error body of the HTTP API, {"error":{"code","message",...}}, with the
// status that goes with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "net/http_message.hpp"

namespace netra::net {

// `extra` fields (an object) are merged into the "error" object, e.g. {"component":"database"}.
HttpResponse json_error(int status, std::string code, std::string message,
                        const nlohmann::json& extra = nlohmann::json::object());

}  // namespace netra::net
