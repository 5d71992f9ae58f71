// AnalyticsError: why a call on the workload analytics store failed, in terms the routes and the
// agent can act on — a bad batch (with the index and field of every bad event), a store that is
// busy, down or too slow, or a fault in the store itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/db_error.hpp"

namespace netra::analytics {

enum class AnalyticsErrorCode {
  invalid,       // the request is malformed: `problems` names each bad event field (400)
  busy,          // no connection free in time (503, retry soon)
  unavailable,   // the store cannot be reached, or its circuit breaker is open (503)
  timeout,       // the deadline passed (503/504)
  storage_full,  // the embedded store's disk is full: nothing was written (507)
  internal,      // the store refused a well-formed request or answered nonsense (500; a bug)
};
std::string_view to_string(AnalyticsErrorCode code);

// One bad field of one event of a batch; `index` is the event's position in the batch.
struct EventProblem {
  size_t index = 0;
  std::string field;   // "model", "tags.team", ...
  std::string reason;  // "must be 1 to 128 bytes"
};

struct AnalyticsError {
  AnalyticsErrorCode code = AnalyticsErrorCode::internal;
  std::string message;                 // for a person and the log; never holds a password
  std::vector<EventProblem> problems;  // invalid batches: every problem found (capped)

  static AnalyticsError invalid(std::string message, std::vector<EventProblem> problems = {});
  static AnalyticsError from_db(const db::DbError& error);
};

template <typename T>
using AnalyticsResult = core::Result<T, AnalyticsError>;

}  // namespace netra::analytics
