// TraceScope: the trace a sequential piece of work — a request's handler, an agent run, a job —
// belongs to, and the span its next operations are children of. The code that work calls finds
// it without having it passed down: the work runs on a TracedExecutor, which makes its scope
// current on every resumption (as core::LabelledExecutor labels them for the Watchdog), the way
// OpenTelemetry keeps its context per thread. Database statements, outbound calls and agent steps
// read current_trace_scope() when they start.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "core/around_executor.hpp"

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

// Makes a trace scope current while a handler runs (see TracedExecutor).
struct InTraceScope {
  std::shared_ptr<TraceScope> scope;
  template <typename Function>
  void operator()(Function& handler) const {
    CurrentTraceScope current(scope);
    handler();
  }
  bool operator==(const InTraceScope&) const = default;
};

// An executor adapter: every handler it runs (every resumption of a coroutine spawned on it) runs
// with its scope current. Coroutines spawned from that work with its executor inherit the scope.
template <typename Inner>
using TracedExecutor = core::AroundExecutor<Inner, InTraceScope>;

template <typename Inner>
TracedExecutor<Inner> trace_executor(Inner inner, std::shared_ptr<TraceScope> scope) {
  return TracedExecutor<Inner>(std::move(inner), InTraceScope{std::move(scope)});
}

}  // namespace netra::telemetry
