#include "telemetry/active_span.hpp"

#include <utility>

#include "telemetry/trace_context.hpp"
#include "telemetry/tracer.hpp"

namespace netra::telemetry {

ActiveSpan::ActiveSpan(std::string_view name, SpanKind kind)
    : ActiveSpan(recording_now() ? current_trace_scope_owner() : nullptr, name, kind) {}

ActiveSpan::ActiveSpan(std::shared_ptr<TraceScope> scope, std::string_view name, SpanKind kind) {
  if (scope == nullptr || !scope->recording()) return;
  scope_ = std::move(scope);
  span_.trace_id = scope_->trace_id;
  span_.span_id = new_span_id();
  span_.parent_span_id.assign(scope_->span_id.data(), scope_->span_id.size());
  span_.name = name;
  span_.kind = kind;
  span_.start_unix_ns = unix_now_ns();
}

ActiveSpan ActiveSpan::root(std::shared_ptr<TraceScope> scope, std::string_view name,
                            SpanKind kind) {
  ActiveSpan span(std::move(scope), name, kind);
  if (span.recording()) {
    span.span_.span_id = span.scope_->span_id;
    span.span_.parent_span_id.clear();
  }
  return span;
}

ActiveSpan::ActiveSpan(ActiveSpan&& other) noexcept
    : scope_(std::move(other.scope_)),
      current_(std::exchange(other.current_, false)),
      span_(std::move(other.span_)) {}

ActiveSpan::~ActiveSpan() {
  end();
}

void ActiveSpan::set(std::string key, std::string value) {
  if (scope_ != nullptr) span_.attributes.push_back({std::move(key), std::move(value)});
}

void ActiveSpan::set(std::string key, int64_t value) {
  if (scope_ != nullptr) span_.attributes.push_back({std::move(key), value});
}

void ActiveSpan::set(std::string key, bool value) {
  if (scope_ != nullptr) span_.attributes.push_back({std::move(key), value});
}

void ActiveSpan::fail(std::string message) {
  if (scope_ == nullptr) return;
  span_.error = true;
  span_.status_message = std::move(message);
}

std::array<char, 55> ActiveSpan::traceparent() const {
  return format_traceparent(span_.trace_id, span_.span_id, 0x01);
}

void ActiveSpan::make_current() {
  if (scope_ == nullptr || current_) return;
  scope_->span_id = span_.span_id;
  current_ = true;
}

void ActiveSpan::end() {
  if (scope_ == nullptr) return;
  if (current_) {
    std::copy(span_.parent_span_id.begin(), span_.parent_span_id.end(), scope_->span_id.begin());
  }
  span_.end_unix_ns = unix_now_ns();
  const Tracer* tracer = scope_->tracer;
  scope_.reset();
  tracer->record(std::move(span_));
}

}  // namespace netra::telemetry
