#include "net/json_error.hpp"

namespace netra::net {

HttpResponse json_error(int status, std::string code, std::string message,
                        const nlohmann::json& extra) {
  nlohmann::json error = {{"code", std::move(code)}, {"message", std::move(message)}};
  for (const auto& [key, value] : extra.items()) error[key] = value;
  return json_response(nlohmann::json{{"error", std::move(error)}}.dump(), status);
}

}  // namespace netra::net
