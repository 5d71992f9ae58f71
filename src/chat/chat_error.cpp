#include "chat/chat_error.hpp"

namespace netra::chat {

std::string_view to_string(ChatErrorCode code) {
  switch (code) {
    case ChatErrorCode::not_found:
      return "not_found";
    case ChatErrorCode::invalid:
      return "invalid";
    case ChatErrorCode::conflict:
      return "conflict";
    case ChatErrorCode::database:
      return "database";
  }
  return "database";
}

ChatError ChatError::not_found(std::string what) {
  return {ChatErrorCode::not_found, "", std::move(what) + " not found", {}};
}

ChatError ChatError::invalid(FieldError error) {
  std::string message = error.field + " " + error.reason;
  return {ChatErrorCode::invalid, std::move(error.field), std::move(message), {}};
}

ChatError ChatError::conflict(std::string message) {
  return {ChatErrorCode::conflict, "", std::move(message), {}};
}

ChatError ChatError::database(db::DbError error) {
  std::string message = error.message;
  return {ChatErrorCode::database, "", std::move(message), std::move(error)};
}

}  // namespace netra::chat
