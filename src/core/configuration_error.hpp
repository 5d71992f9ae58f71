// ConfigurationError: a configuration that cannot run, with every problem found (not only the
// first), each naming what is wrong and where it came from. `netra` exits 2 on one.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace netra::core {

class ConfigurationError : public std::runtime_error {
 public:
  explicit ConfigurationError(std::vector<std::string> errors);
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

}  // namespace netra::core
