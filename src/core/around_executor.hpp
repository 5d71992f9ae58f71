// AroundExecutor: an executor adapter that runs every handler it executes — every resumption of a
// coroutine spawned on it — inside `Around`, a small copyable value whose operator()(handler) does
// something before and after calling it: LabelledExecutor labels the loop for the Watchdog,
// telemetry::TracedExecutor makes a trace current. Queries, requirements and preferences pass
// through to `Inner`; what it requires or prefers is wrapped again.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <type_traits>
#include <utility>

namespace netra::core {

template <typename Inner, typename Around>
class AroundExecutor {
 public:
  AroundExecutor(Inner inner, Around around) noexcept
      : inner_(std::move(inner)), around_(std::move(around)) {}

  const Inner& inner() const noexcept { return inner_; }
  const Around& around() const noexcept { return around_; }

  template <typename Property>
  auto query(const Property& p) const
      noexcept(noexcept(boost::asio::query(std::declval<const Inner&>(), p)))
          -> decltype(boost::asio::query(std::declval<const Inner&>(), p)) {
    return boost::asio::query(inner_, p);
  }

  template <typename Property>
  auto require(const Property& p) const -> AroundExecutor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), p))>, Around> {
    return {boost::asio::require(inner_, p), around_};
  }

  template <typename Property>
  auto prefer(const Property& p) const -> AroundExecutor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), p))>, Around> {
    return {boost::asio::prefer(inner_, p), around_};
  }

  template <typename Function>
  void execute(Function&& f) const {
    inner_.execute(Wrapped<std::decay_t<Function>>{std::forward<Function>(f), around_});
  }

  friend bool operator==(const AroundExecutor& a, const AroundExecutor& b) noexcept {
    return a.inner_ == b.inner_ && a.around_ == b.around_;
  }
  friend bool operator!=(const AroundExecutor& a, const AroundExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  template <typename Function>
  struct Wrapped {
    Function function;
    Around around;
    void operator()() { around(function); }
  };

  Inner inner_;
  Around around_;
};

}  // namespace netra::core
