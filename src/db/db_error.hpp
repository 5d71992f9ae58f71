// DbError: why a database call failed, in the terms the HTTP layer maps to statuses (busy → 503
// database_busy, unavailable → 503, constraint → 409, ...), with a message safe to log.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace netra::db {

enum class DbErrorCode {
  busy,          // no connection free within the acquire timeout
  unavailable,   // cannot connect, connection lost, or the circuit breaker is open
  timeout,       // the deadline or the statement timeout passed
  constraint,    // a unique, foreign-key or check constraint refused the write
  storage_full,  // the database's disk is full: nothing was written; reads still work
  invalid,       // the statement or its parameters are wrong (a bug)
  internal,
};

std::string_view to_string(DbErrorCode code);

struct DbError {
  DbErrorCode code = DbErrorCode::internal;
  std::string message;  // never contains a password
};

template <typename T>
using DbResult = core::Result<T, DbError>;

}  // namespace netra::db
