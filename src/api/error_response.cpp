#include "api/error_response.hpp"

#include <fmt/format.h>

#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "telemetry/logging.hpp"

namespace netra::api {
namespace {

net::HttpResponse internal_error(const std::string& request_id) {
  return net::json_error(500, "internal_error", "internal error; request id " + request_id);
}

// 507 (RFC 4918): the request was fine and may succeed later; an operator has to free space.
net::HttpResponse storage_full_response() {
  return net::json_error(507, "storage_full",
                         "the database's disk is full: nothing was written, and writes are refused "
                         "until space is freed (reads still work)")
      .with_header("Retry-After", "60");
}

}  // namespace

net::HttpResponse error_response(const db::DbError& error, const std::string& request_id) {
  using db::DbErrorCode;
  const std::string code(db::to_string(error.code));
  switch (error.code) {
    case DbErrorCode::busy:
      return net::json_error(503, code, "the database is busy; try again")
          .with_header("Retry-After", "1");
    case DbErrorCode::unavailable:
      return net::json_error(503, code, "the database is unavailable; try again")
          .with_header("Retry-After", "5");
    case DbErrorCode::timeout:
      return net::json_error(504, code, "the database did not answer in time");
    case DbErrorCode::constraint:
      return net::json_error(409, code, "the change conflicts with existing data");
    case DbErrorCode::storage_full:
      return storage_full_response();
    case DbErrorCode::invalid:
    case DbErrorCode::internal:
      break;
  }
  return internal_error(request_id);
}

net::HttpResponse error_response(const chat::ChatError& error, const std::string& request_id) {
  switch (error.code) {
    case chat::ChatErrorCode::not_found:
      return net::json_error(404, "not_found", error.message);
    case chat::ChatErrorCode::invalid: {
      // The message is "<field> <reason>"; the field list carries the reason alone.
      std::string reason = error.message;
      if (reason.rfind(error.field + " ", 0) == 0) reason.erase(0, error.field.size() + 1);
      return net::invalid_fields({{error.field, reason}});
    }
    case chat::ChatErrorCode::conflict:
      return net::json_error(409, "conflict", error.message);
    case chat::ChatErrorCode::database:
      return error_response(error.db, request_id);
  }
  return internal_error(request_id);
}

net::HttpResponse error_response(const analytics::AnalyticsError& error,
                                 const std::string& request_id) {
  using Code = analytics::AnalyticsErrorCode;
  auto log = [&](const char* what) {
    telemetry::logger("api")->warn("rid={} workload analytics {}: {}", request_id, what,
                                   error.message);
  };
  switch (error.code) {
    case Code::invalid: {
      if (error.problems.empty()) {
        return net::json_error(400, "invalid_request", error.message);
      }
      nlohmann::json problems = nlohmann::json::array();
      for (const auto& p : error.problems) {
        problems.push_back({{"index", p.index}, {"field", p.field}, {"reason", p.reason}});
      }
      return net::json_error(400, "invalid_request", error.message,
                             {{"fields", problem_fields(error.problems)}, {"problems", problems}});
    }
    case Code::busy:
      log("busy");
      return net::json_error(503, "busy", "the analytics store is busy; try again")
          .with_header("Retry-After", "1");
    case Code::unavailable:
      log("unavailable");
      return net::json_error(503, "unavailable", "the analytics store is unavailable; try again")
          .with_header("Retry-After", "5");
    case Code::timeout:
      log("timed out");
      return net::json_error(504, "timeout", "the analytics store did not answer in time");
    case Code::storage_full:
      log("refused: disk full");
      return storage_full_response();
    case Code::internal:
      break;
  }
  log("failed");
  return internal_error(request_id);
}

nlohmann::json problem_fields(const std::vector<analytics::EventProblem>& problems) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& p : problems) {
    auto name = fmt::format("events[{}]", p.index);
    if (!p.field.empty()) name += "." + p.field;
    // Two problems of one field (rare: a tag key and its value) read as one line each.
    auto& slot = fields[name];
    slot = slot.is_string() ? nlohmann::json(slot.get<std::string>() + "; " + p.reason)
                            : nlohmann::json(p.reason);
  }
  return fields;
}

net::HttpResponse error_response(const auth::AuthError& error, const std::string& request_id) {
  switch (error.code) {
    case auth::AuthErrorCode::invalid_request:
      return net::invalid_fields({{error.field, error.message}});
    case auth::AuthErrorCode::email_taken:
      return net::json_error(409, "email_taken", error.message);
    case auth::AuthErrorCode::invalid_credentials:
      return net::json_error(401, "invalid_credentials", error.message);
    case auth::AuthErrorCode::invalid_token:
      return net::json_error(401, "invalid_token", "the token is not valid")
          .with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    case auth::AuthErrorCode::unavailable:
      return net::json_error(503, "auth_unavailable", "try again shortly")
          .with_header("Retry-After", "1");
    case auth::AuthErrorCode::email_not_verified:
      return net::json_error(403, "email_not_verified", error.message);
    case auth::AuthErrorCode::busy:
      return net::json_error(503, "busy", "too many sign-ins at once; try again shortly")
          .with_header("Retry-After", "1");
  }
  return internal_error(request_id);
}

net::HttpResponse error_response(const auth::OidcError& e) {
  using Kind = auth::OidcError::Kind;
  switch (e.kind) {
    case Kind::unknown_provider:
      return net::json_error(404, "not_found", "no OpenID provider of that name");
    case Kind::invalid_state:
      return net::json_error(400, "invalid_state", e.message);
    case Kind::denied:
      return net::json_error(401, "oidc_denied", e.message);
    case Kind::code_refused:
      return net::json_error(401, "oidc_code_refused", e.message);
    case Kind::invalid_id_token:
      return net::json_error(401, "invalid_id_token", e.message);
    case Kind::email_not_verified:
      return net::json_error(403, "email_not_verified", e.message);
    case Kind::provider_error:
      return net::json_error(502, "oidc_provider_error", e.message);
    case Kind::unavailable:
      break;
  }
  return net::json_error(503, "oidc_unavailable", e.message).with_header("Retry-After", "5");
}

}  // namespace netra::api
