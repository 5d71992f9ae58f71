// ActiveSpan: one operation of the current trace — a database statement, an outbound call, an
// agent step — timed from its construction to end() (or its destruction), then handed to the
// tracer as a child of the scope's current span. Inert, at the cost of one thread-local read,
// when no recording trace is current: unsampled requests and untraced work pay nothing more.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "telemetry/span.hpp"
#include "telemetry/trace_scope.hpp"

namespace netra::telemetry {

class ActiveSpan {
 public:
  // Under current_trace_scope().
  ActiveSpan(std::string_view name, SpanKind kind);
  ActiveSpan(std::shared_ptr<TraceScope> scope, std::string_view name, SpanKind kind);
  // The root span of work that starts a trace of its own (a job, a WebSocket message): its id is
  // the scope's span id, so the spans started in the scope are its children.
  static ActiveSpan root(std::shared_ptr<TraceScope> scope, std::string_view name, SpanKind kind);
  ActiveSpan(ActiveSpan&& other) noexcept;
  ActiveSpan& operator=(ActiveSpan&&) = delete;
  ActiveSpan(const ActiveSpan&) = delete;
  ActiveSpan& operator=(const ActiveSpan&) = delete;
  ~ActiveSpan();

  bool recording() const { return scope_ != nullptr; }

  // Attributes under OpenTelemetry's semantic names; nothing when not recording.
  void set(std::string key, std::string value);
  void set(std::string key, int64_t value);
  void set(std::string key, bool value);
  // Ends it with status ERROR and `message` (never a secret: it is exported).
  void fail(std::string message);

  // The traceparent an outbound call made within this span carries, so the peer's spans are its
  // children. Meaningful only while recording.
  std::array<char, 55> traceparent() const;

  // Until this span ends, spans started in its scope are its children. Only for work that does
  // one thing at a time in its scope (an agent run's steps): concurrent children would see each
  // other's spans as parents.
  void make_current();

  void end();

 private:
  std::shared_ptr<TraceScope> scope_;  // null: not recording
  bool current_ = false;
  Span span_;
};

}  // namespace netra::telemetry
