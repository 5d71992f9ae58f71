#include "net/json_error.hpp"

namespace netra::net {

HttpResponse json_error(int status, std::string code, std::string message,
                        const nlohmann::json& extra) {
  nlohmann::json error = {{"code", std::move(code)}, {"message", std::move(message)}};
  for (const auto& [key, value] : extra.items()) error[key] = value;
  // Messages name what the client sent ("no route for /a%FF"): bytes that are not UTF-8 are
  // written as U+FFFD rather than thrown on, which ended the connection with no answer at all
  // (found by the route fuzzer).
  return json_response(nlohmann::json{{"error", std::move(error)}}.dump(
                           -1, ' ', false, nlohmann::json::error_handler_t::replace),
                       status);
}

}  // namespace netra::net
