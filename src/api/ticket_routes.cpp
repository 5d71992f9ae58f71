#include "api/ticket_routes.hpp"

#include "auth/ticket_store.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"

namespace netra::api {

namespace asio = boost::asio;
namespace {

using net::HttpRequest;
using net::HttpResponse;

// A Host header fit to put in a URL: host name or address characters and a port, nothing else.
bool plausible_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                    c == ':' || c == '[' || c == ']' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void add_ticket_routes(net::Router& router, auth::TicketStore& tickets, std::string public_url) {
  router.add(
      "POST", "/api/websocket/ticket",
      [&tickets, public_url](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        auto body = net::json_object_body(r, /*empty_is_object=*/true);
        if (!body) co_return body.error();
        nlohmann::json fields = nlohmann::json::object();
        net::reject_unknown_fields(*body, {"ttl_seconds"}, fields);
        const auto& limits = tickets.limits();
        int64_t ttl = limits.default_ttl.count();
        if (auto it = body->find("ttl_seconds"); it != body->end()) {
          if (!it->is_number_integer() || it->get<int64_t>() < limits.min_ttl.count() ||
              it->get<int64_t>() > limits.max_ttl.count()) {
            fields["ttl_seconds"] = "an integer from " + std::to_string(limits.min_ttl.count()) +
                                    " to " + std::to_string(limits.max_ttl.count());
          } else {
            ttl = it->get<int64_t>();
          }
        }
        if (!fields.empty()) co_return net::invalid_fields(fields);
        std::string url = public_url;
        if (url.empty()) {
          const auto host = r.header("host");
          url = plausible_host(host) ? "ws://" + std::string(host) + "/ws" : "/ws";
        }
        auth::TicketOwner owner{r.user_id, r.session_id, r.token_expires_at};
        auto ticket = co_await tickets.issue(std::move(owner), std::chrono::seconds(ttl));
        if (!ticket) {
          co_return net::json_error(503, "unavailable", ticket.error())
              .with_header("Retry-After", "1");
        }
        co_return net::json_response(
            nlohmann::json{{"ticket_id", ticket->id},
                           {"expires_at", ticket->expires_at},
                           {"websocket_url", url + "?ticket=" + ticket->id}}
                .dump());
      },
      net::RouteOptions{.needs_component = "api", .authenticated = true});
}

}  // namespace netra::api
