#include "analytics/analytics_error.hpp"

namespace netra::analytics {

std::string_view to_string(AnalyticsErrorCode code) {
  switch (code) {
    case AnalyticsErrorCode::invalid:
      return "invalid";
    case AnalyticsErrorCode::busy:
      return "busy";
    case AnalyticsErrorCode::unavailable:
      return "unavailable";
    case AnalyticsErrorCode::timeout:
      return "timeout";
    case AnalyticsErrorCode::storage_full:
      return "storage_full";
    case AnalyticsErrorCode::internal:
      return "internal";
  }
  return "internal";
}

AnalyticsError AnalyticsError::invalid(std::string message, std::vector<EventProblem> problems) {
  return AnalyticsError{AnalyticsErrorCode::invalid, std::move(message), std::move(problems)};
}

AnalyticsError AnalyticsError::from_db(const db::DbError& error) {
  AnalyticsErrorCode code = AnalyticsErrorCode::internal;
  switch (error.code) {
    case db::DbErrorCode::busy:
      code = AnalyticsErrorCode::busy;
      break;
    case db::DbErrorCode::unavailable:
      code = AnalyticsErrorCode::unavailable;
      break;
    case db::DbErrorCode::timeout:
      code = AnalyticsErrorCode::timeout;
      break;
    case db::DbErrorCode::storage_full:
      code = AnalyticsErrorCode::storage_full;
      break;
    case db::DbErrorCode::constraint:  // the events table has no constraint a valid event breaks
    case db::DbErrorCode::invalid:
    case db::DbErrorCode::internal:
      break;
  }
  return AnalyticsError{code, "embedded analytics store: " + error.message, {}};
}

}  // namespace netra::analytics
