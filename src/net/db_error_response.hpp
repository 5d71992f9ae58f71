// The one mapping from a database error to an HTTP answer: a full pool is 503 database_busy with
// Retry-After, a failing server 503, a deadline 504, a refused write 409, a bug 500.
#pragma once

#include "db/db_error.hpp"
#include "net/http_message.hpp"

namespace netra::net {

// `request_id` goes into the message of a 500 so a person can find the log line.
HttpResponse db_error_response(const db::DbError& error, const std::string& request_id);

}  // namespace netra::net
