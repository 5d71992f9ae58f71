#include "telemetry/trace_scope.hpp"

#include "telemetry/trace_context.hpp"
#include "telemetry/tracer.hpp"

namespace netra::telemetry {
namespace {

// The scope of the handler running now: the shared pointer its TracedExecutor holds.
thread_local const std::shared_ptr<TraceScope>* current_scope = nullptr;

}  // namespace

bool TraceScope::recording() const {
  return (flags & 0x01) != 0 && tracer != nullptr && tracer->recording();
}

std::shared_ptr<TraceScope> scope_of(const TraceContext& request, const Tracer* tracer) {
  auto scope = std::make_shared<TraceScope>();
  scope->tracer = tracer;
  scope->trace_id = request.trace_id;
  scope->span_id = request.span_id;
  scope->flags = request.flags;
  return scope;
}

std::shared_ptr<TraceScope> new_trace_scope(const Tracer* tracer, double sample_ratio) {
  return scope_of(continue_or_start("", "", sample_ratio), tracer);
}

TraceScope* current_trace_scope() noexcept {
  return current_scope != nullptr ? current_scope->get() : nullptr;
}

std::shared_ptr<TraceScope> current_trace_scope_owner() {
  return current_scope != nullptr ? *current_scope : nullptr;
}

bool recording_now() noexcept {
  return current_scope != nullptr && *current_scope && (*current_scope)->recording();
}

CurrentTraceScope::CurrentTraceScope(const std::shared_ptr<TraceScope>& scope) noexcept
    : previous_(current_scope) {
  current_scope = &scope;
}

CurrentTraceScope::~CurrentTraceScope() {
  current_scope = previous_;
}

}  // namespace netra::telemetry
