#include "db/db_error.hpp"

namespace netra::db {

std::string_view to_string(DbErrorCode code) {
  switch (code) {
    case DbErrorCode::busy:
      return "database_busy";
    case DbErrorCode::unavailable:
      return "database_unavailable";
    case DbErrorCode::timeout:
      return "database_timeout";
    case DbErrorCode::constraint:
      return "constraint_violation";
    case DbErrorCode::storage_full:
      return "storage_full";
    case DbErrorCode::invalid:
      return "invalid_statement";
    case DbErrorCode::internal:
      return "database_error";
  }
  return "database_error";
}

}  // namespace netra::db
