// LabelledExecutor: an executor adapter that labels every handler it runs (every resumption of a
// coroutine spawned on it), so the Watchdog can name the component or route that stalled a loop.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <type_traits>
#include <utility>

#include "core/loop_activity.hpp"

namespace netra::core {

template <typename Inner>
class LabelledExecutor {
 public:
  LabelledExecutor(Inner inner, const char* label) noexcept
      : inner_(std::move(inner)), label_(label) {}

  const Inner& inner() const noexcept { return inner_; }
  const char* label() const noexcept { return label_; }

  template <typename Property>
  auto query(const Property& p) const
      noexcept(noexcept(boost::asio::query(std::declval<const Inner&>(), p)))
          -> decltype(boost::asio::query(std::declval<const Inner&>(), p)) {
    return boost::asio::query(inner_, p);
  }

  template <typename Property>
  auto require(const Property& p) const -> LabelledExecutor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), p))>> {
    return {boost::asio::require(inner_, p), label_};
  }

  template <typename Property>
  auto prefer(const Property& p) const -> LabelledExecutor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), p))>> {
    return {boost::asio::prefer(inner_, p), label_};
  }

  template <typename Function>
  void execute(Function&& f) const {
    inner_.execute(Labelled<std::decay_t<Function>>{std::forward<Function>(f), label_});
  }

  friend bool operator==(const LabelledExecutor& a, const LabelledExecutor& b) noexcept {
    return a.inner_ == b.inner_ && a.label_ == b.label_;
  }
  friend bool operator!=(const LabelledExecutor& a, const LabelledExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  template <typename Function>
  struct Labelled {
    Function function;
    const char* label;
    void operator()() {
      ActivityScope scope(label);
      function();
    }
  };

  Inner inner_;
  const char* label_;
};

template <typename Inner>
LabelledExecutor<Inner> label_executor(Inner inner, const char* label) {
  return LabelledExecutor<Inner>(std::move(inner), label);
}

}  // namespace netra::core
