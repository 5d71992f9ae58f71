// The real servers scripts/test starts for the suites (PostgreSQL, ClickHouse), found by the
// environment variables it exports (TEST_POSTGRES_URL, TEST_CLICKHOUSE_URL, ...). Run by hand
// without one, a suite leaves that server's cases out; under CI (CI set) a missing server fails
// them instead, so a run can never pass with no real-server coverage.
#pragma once

#include <string>

namespace netra::testing {

// Whether the cases for that server run: it is set, or CI is (then they fail without it).
bool have_test_server(const char* variable);

// Its value; when it is not set, fails the running test (naming the variable) and returns "".
std::string test_server(const char* variable);

}  // namespace netra::testing
