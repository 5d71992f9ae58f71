#include "api/administrators.hpp"

#include <algorithm>
#include <cctype>

#include "api/error_response.hpp"
#include "auth/auth_service.hpp"
#include "auth/auth_state.hpp"
#include "net/json_error.hpp"

namespace netra::api {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

boost::asio::awaitable<std::optional<net::HttpResponse>> refuse_unless_administrator(
    const net::HttpRequest& request, const std::vector<std::string>& admin_emails,
    auth::AuthState& auth) {
  if (admin_emails.empty()) {
    co_return net::json_error(403, "not_an_administrator",
                              "no administrator is configured: list their emails in "
                              "auth.admin_emails");
  }
  auto service = auth.get();
  if (!service) {
    co_return net::json_error(403, "not_an_administrator",
                              "administrators are known by email where the auth service runs in "
                              "this process");
  }
  auto user = co_await service->user(request.user_id);
  if (!user) co_return error_response(user.error(), request.request_id);
  const auto email = lower(user.value().email);
  const bool listed = std::any_of(admin_emails.begin(), admin_emails.end(),
                                  [&](const std::string& admin) { return lower(admin) == email; });
  if (!listed) {
    co_return net::json_error(403, "not_an_administrator",
                              "this account is not in auth.admin_emails");
  }
  co_return std::nullopt;
}

}  // namespace netra::api
