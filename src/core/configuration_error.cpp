#include "core/configuration_error.hpp"

namespace netra::core {
namespace {
std::string join_lines(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "\n") + e;
  return out;
}
}  // namespace

ConfigurationError::ConfigurationError(std::vector<std::string> errors)
    : std::runtime_error(join_lines(errors)), errors_(std::move(errors)) {}

}  // namespace netra::core
