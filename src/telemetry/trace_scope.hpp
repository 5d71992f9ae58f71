// TraceScope: the trace a sequential piece of work — a request's handler, an agent run, a job —
// belongs to, and the span its next operations are children of. The code that work calls finds
// it without having it passed down: the work runs on a TracedExecutor, which makes its scope
// current on every resumption (as core::LabelledExecutor labels them for the Watchdog), the way
// OpenTelemetry keeps its context per thread. Database statements, outbound calls and agent steps
// read current_trace_scope() when they start.
#pragma once

#include <array>
#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>

namespace netra::telemetry {

class Tracer;
struct TraceContext;

struct TraceScope {
  // Where the spans of this trace go; nullptr or not recording: nowhere.
  const Tracer* tracer = nullptr;
  std::array<char, 32> trace_id{};  // lower-case hex
  std::array<char, 16> span_id{};   // the parent of spans started now
  uint8_t flags = 0;                // W3C trace-flags; bit 0: sampled

  std::string_view trace() const { return {trace_id.data(), trace_id.size()}; }
  // Whether spans started in this scope are recorded: sampled, and a tracer is exporting.
  bool recording() const;
};

// A request's scope: its trace, its server span as the parent.
std::shared_ptr<TraceScope> scope_of(const TraceContext& request, const Tracer* tracer);
// The scope of work that starts a trace of its own (a job, a WebSocket message), sampled with
// probability `sample_ratio` like a request that starts one.
std::shared_ptr<TraceScope> new_trace_scope(const Tracer* tracer, double sample_ratio);

// The scope of the work running on this thread now, or nullptr outside traced work. A handler of
// untraced work that a traced one runs inline (an asio::dispatch to the same thread) sees the
// traced one's scope: its spans join that trace, and ActiveSpan shares the scope's ownership so
// that such a span may outlive the work it joined.
TraceScope* current_trace_scope() noexcept;
std::shared_ptr<TraceScope> current_trace_scope_owner();
// Whether a span started now would be recorded: what to check before paying for its name.
bool recording_now() noexcept;

// Makes `scope` current on this thread for its lifetime (nesting restores the one before);
// `scope` must outlive it.
class CurrentTraceScope {
 public:
  explicit CurrentTraceScope(const std::shared_ptr<TraceScope>& scope) noexcept;
  ~CurrentTraceScope();
  CurrentTraceScope(const CurrentTraceScope&) = delete;
  CurrentTraceScope& operator=(const CurrentTraceScope&) = delete;

 private:
  const std::shared_ptr<TraceScope>* previous_;
};

// An executor adapter: every handler it runs (every resumption of a coroutine spawned on it) runs
// with `scope` current. Coroutines spawned from that work with its executor inherit the scope.
template <typename Inner>
class TracedExecutor {
 public:
  TracedExecutor(Inner inner, std::shared_ptr<TraceScope> scope) noexcept
      : inner_(std::move(inner)), scope_(std::move(scope)) {}

  const Inner& inner() const noexcept { return inner_; }

  template <typename Property>
  auto query(const Property& p) const
      noexcept(noexcept(boost::asio::query(std::declval<const Inner&>(), p)))
          -> decltype(boost::asio::query(std::declval<const Inner&>(), p)) {
    return boost::asio::query(inner_, p);
  }

  template <typename Property>
  auto require(const Property& p) const -> TracedExecutor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), p))>> {
    return {boost::asio::require(inner_, p), scope_};
  }

  template <typename Property>
  auto prefer(const Property& p) const -> TracedExecutor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), p))>> {
    return {boost::asio::prefer(inner_, p), scope_};
  }

  template <typename Function>
  void execute(Function&& f) const {
    inner_.execute(InScope<std::decay_t<Function>>{std::forward<Function>(f), scope_});
  }

  friend bool operator==(const TracedExecutor& a, const TracedExecutor& b) noexcept {
    return a.inner_ == b.inner_ && a.scope_ == b.scope_;
  }
  friend bool operator!=(const TracedExecutor& a, const TracedExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  template <typename Function>
  struct InScope {
    Function function;
    std::shared_ptr<TraceScope> scope;
    void operator()() {
      CurrentTraceScope current(scope);
      function();
    }
  };

  Inner inner_;
  std::shared_ptr<TraceScope> scope_;
};

template <typename Inner>
TracedExecutor<Inner> trace_executor(Inner inner, std::shared_ptr<TraceScope> scope) {
  return TracedExecutor<Inner>(std::move(inner), std::move(scope));
}

}  // namespace netra::telemetry
