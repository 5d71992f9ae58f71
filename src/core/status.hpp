// Status: the outcome of an operation that can fail, with a message a person can act on.
// Used wherever an exception must not cross a component boundary or an event loop.
#pragma once

#include <string>
#include <utility>

namespace netra::core {

class Status {
 public:
  Status() = default;  // ok
  static Status ok() { return Status{}; }
  static Status error(std::string message) { return Status{std::move(message)}; }

  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return is_ok(); }
  // Empty when is_ok().
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}

  bool failed_ = false;
  std::string message_;
};

}  // namespace netra::core
