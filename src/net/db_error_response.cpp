#include "net/db_error_response.hpp"

#include "net/json_error.hpp"

namespace netra::net {

HttpResponse db_error_response(const db::DbError& error, const std::string& request_id) {
  using db::DbErrorCode;
  const std::string code(db::to_string(error.code));
  switch (error.code) {
    case DbErrorCode::busy:
      return json_error(503, code, "the database is busy; try again")
          .with_header("Retry-After", "1");
    case DbErrorCode::unavailable:
      return json_error(503, code, "the database is unavailable; try again")
          .with_header("Retry-After", "5");
    case DbErrorCode::timeout:
      return json_error(504, code, "the database did not answer in time");
    case DbErrorCode::constraint:
      return json_error(409, code, "the change conflicts with existing data");
    case DbErrorCode::invalid:
    case DbErrorCode::internal:
      break;
  }
  // Details of a bug stay in the log, not in the answer.
  return json_error(500, "internal_error", "internal error; request id " + request_id);
}

}  // namespace netra::net
