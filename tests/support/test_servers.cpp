#include "support/test_servers.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace netra::testing {

bool have_test_server(const char* variable) {
  const char* value = std::getenv(variable);
  if (value != nullptr && *value != '\0') return true;
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string(ci) != "false";
}

std::string test_server(const char* variable) {
  const char* value = std::getenv(variable);
  if (value != nullptr && *value != '\0') return value;
  ADD_FAILURE() << variable
                << " is not set: scripts/test starts the server it names; under CI every "
                   "real-server case must run";
  return "";
}

}  // namespace netra::testing
