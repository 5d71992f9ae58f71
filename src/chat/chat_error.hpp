// ChatError: why a call on the chat stores failed, in terms the REST routes and the WebSocket
// channel can answer with: not_found (never says whose), invalid (names the field), conflict, or
// the database error as the database layer reported it (api::error_response maps it).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "db/db_error.hpp"

namespace netra::chat {

enum class ChatErrorCode {
  not_found,  // missing, archived, or another owner's: the same answer, so existence never leaks
  invalid,    // a request field is malformed; `field` names it
  conflict,   // the request contradicts the current state (a finished run cannot start)
  database,   // the database failed; `db` says how
};

std::string_view to_string(ChatErrorCode code);

// A request field that fails validation, and why ("must be at most 200 characters").
struct FieldError {
  std::string field;
  std::string reason;
};

struct ChatError {
  ChatErrorCode code = ChatErrorCode::database;
  std::string field;    // invalid: the field at fault
  std::string message;  // for a person; for `database` the database layer's (log it, map `db`)
  db::DbError db;       // database: the error to map

  static ChatError not_found(std::string what);
  static ChatError invalid(FieldError error);
  static ChatError conflict(std::string message);
  static ChatError database(db::DbError error);
};

template <typename T>
using ChatResult = core::Result<T, ChatError>;

}  // namespace netra::chat
