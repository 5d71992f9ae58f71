// Result: a value or an error that says what went wrong — for request paths, where errors are
// values and never exceptions crossing an event loop.
#pragma once

#include <utility>
#include <variant>

namespace netra::core {

template <typename T, typename E>
class Result {
 public:
  // An (empty) error; exists because asio::co_spawn default-constructs results.
  Result() : state_(std::in_place_index<1>, E{}) {}
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &std::get<0>(state_); }
  const T* operator->() const { return &std::get<0>(state_); }
  T& operator*() { return value(); }

  const E& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace netra::core
