// The one mapping from the error types of the layers below to an HTTP answer: a status and the
// {"error":{"code","message",...}} body (net::json_error). Routes never pick a status for a
// store's error themselves; a new error type gets its overload here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analytics/analytics_error.hpp"
#include "auth/auth_service.hpp"
#include "auth/oidc_sign_in.hpp"
#include "chat/chat_error.hpp"
#include "db/db_error.hpp"
#include "net/http_message.hpp"

namespace netra::api {

// A full pool is 503 database_busy with Retry-After, a failing server 503, a deadline 504, a
// refused write 409, a bug 500. `request_id` goes into a 500's message so a person can find the
// log line; the details of a bug never reach the answer.
net::HttpResponse error_response(const db::DbError& error, const std::string& request_id);

// not_found → 404 (the same for missing and another user's), invalid → 400 naming the field,
// conflict → 409, database → the database's mapping.
net::HttpResponse error_response(const chat::ChatError& error, const std::string& request_id);

// invalid → 400 naming each event's index and field, busy/unavailable → 503 with Retry-After,
// timeout → 504, internal → 500 (the details go to the log with the request id).
net::HttpResponse error_response(const analytics::AnalyticsError& error,
                                 const std::string& request_id);

// invalid_request → 400 naming the field, email_taken → 409, bad credentials or token → 401,
// unavailable/busy → 503 with Retry-After.
net::HttpResponse error_response(const auth::AuthError& error, const std::string& request_id);

// unknown_provider → 404, invalid_state → 400, denied/code_refused/invalid_id_token → 401 (each
// its own code), email_not_verified → 403, provider_error → 502, unavailable → 503 with
// Retry-After. The message says which check refused the sign-in.
net::HttpResponse error_response(const auth::OidcError& error);

// {"events[3].model": "must be 1 to 128 bytes", ...}: what invalid_request lists in `fields`.
nlohmann::json problem_fields(const std::vector<analytics::EventProblem>& problems);

}  // namespace netra::api
