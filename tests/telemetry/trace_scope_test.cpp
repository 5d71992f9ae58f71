// TraceScope and ActiveSpan: a coroutine on a TracedExecutor finds its scope after every
// resumption, even with other traced work interleaved on the same thread; spans started in it are
// children of its current span, and nothing is recorded outside a sampled, recording trace. The
// spans go through a real SpanExporter to an in-process transport that keeps the OTLP bodies.
#include "telemetry/trace_scope.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/active_span.hpp"
#include "telemetry/span_exporter.hpp"
#include "telemetry/trace_context.hpp"
#include "telemetry/tracer.hpp"

namespace netra::telemetry {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Recorded {
  std::string trace_id, span_id, parent_id, name;
  int kind = 0;
  int status = 0;
};

// A tracer whose exporter hands each OTLP body to this fixture instead of a collector.
class Spans {
 public:
  explicit Spans(asio::io_context& io) {
    auto transport = [this](std::string body, core::Deadline) -> asio::awaitable<std::string> {
      const auto request = nlohmann::json::parse(body);
      for (const auto& span : request["resourceSpans"][0]["scopeSpans"][0]["spans"]) {
        recorded.push_back({span["traceId"], span["spanId"], span.value("parentSpanId", ""),
                            span["name"], span["kind"],
                            span.contains("status") ? span["status"].value("code", 0) : 0});
      }
      co_return std::string();
    };
    exporter_ = std::make_shared<SpanExporter>(
        io.get_executor(), transport, TraceResource{},
        SpanExporterOptions{
            .queue_capacity = 100, .batch_size = 100, .flush_interval = 5ms, .export_timeout = 1s});
    exporter_->start();
    tracer.attach(exporter_);
  }
  ~Spans() { tracer.detach(); }

  const Recorded* named(const std::string& name) const {
    for (const auto& r : recorded)
      if (r.name == name) return &r;
    return nullptr;
  }

  Tracer tracer;
  std::vector<Recorded> recorded;

 private:
  std::shared_ptr<SpanExporter> exporter_;
};

std::shared_ptr<TraceScope> sampled_scope(const Tracer& tracer) {
  return scope_of(continue_or_start("", "", 1.0), &tracer);
}

std::string text(const std::array<char, 16>& id) {
  return {id.data(), id.size()};
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor, ms);
  co_await timer.async_wait(asio::use_awaitable);
}

// Records, after each of its waits, which scope it found current.
asio::awaitable<void> note_scopes(std::vector<TraceScope*>& seen, std::chrono::milliseconds step) {
  seen.push_back(current_trace_scope());
  for (int i = 0; i < 3; ++i) {
    co_await sleep_for(step);
    seen.push_back(current_trace_scope());
  }
}

TEST(TraceScopeTest, ACoroutineFindsItsOwnScopeAfterEveryResumptionWithOthersInterleaved) {
  asio::io_context io;
  auto a = std::make_shared<TraceScope>();
  auto b = std::make_shared<TraceScope>();
  std::vector<TraceScope*> seen_a, seen_b, seen_plain;
  asio::co_spawn(trace_executor(io.get_executor(), a), note_scopes(seen_a, 3ms), asio::detached);
  asio::co_spawn(trace_executor(io.get_executor(), b), note_scopes(seen_b, 2ms), asio::detached);
  asio::co_spawn(io.get_executor(), note_scopes(seen_plain, 1ms), asio::detached);
  io.run_for(500ms);
  EXPECT_EQ(seen_a, std::vector<TraceScope*>(4, a.get()));
  EXPECT_EQ(seen_b, std::vector<TraceScope*>(4, b.get()));
  EXPECT_EQ(seen_plain, std::vector<TraceScope*>(4, nullptr)) << "untraced work sees none";
  EXPECT_EQ(current_trace_scope(), nullptr) << "nothing is left current after a handler";
}

asio::awaitable<void> spawn_child_and_note(std::vector<TraceScope*>& seen) {
  auto executor = co_await asio::this_coro::executor;
  co_await asio::co_spawn(executor, note_scopes(seen, 1ms), asio::use_awaitable);
}

TEST(TraceScopeTest, WorkSpawnedWithTheTracedExecutorInheritsTheScope) {
  asio::io_context io;
  auto scope = std::make_shared<TraceScope>();
  std::vector<TraceScope*> seen;
  asio::co_spawn(trace_executor(io.get_executor(), scope), spawn_child_and_note(seen),
                 asio::detached);
  io.run_for(500ms);
  EXPECT_EQ(seen, std::vector<TraceScope*>(4, scope.get()));
}

// A step made current, a statement in it, then a second operation after the step ended.
asio::awaitable<void> step_with_statement() {
  {
    ActiveSpan step("step", SpanKind::internal);
    step.make_current();
    co_await sleep_for(1ms);
    ActiveSpan statement("SELECT", SpanKind::client);
    statement.set("db.system", std::string("sqlite"));
    co_await sleep_for(1ms);
  }
  ActiveSpan after("after", SpanKind::client);
  after.fail("refused");
}

TEST(ActiveSpanTest, SpansAreChildrenOfTheCurrentSpanAndAStepParentsWhatRunsInIt) {
  asio::io_context io;
  Spans spans(io);
  auto scope = sampled_scope(spans.tracer);
  const auto request_span = text(scope->span_id);
  asio::co_spawn(trace_executor(io.get_executor(), scope), step_with_statement(), asio::detached);
  io.run_for(200ms);
  ASSERT_EQ(spans.recorded.size(), 3u);
  const auto* step = spans.named("step");
  const auto* statement = spans.named("SELECT");
  const auto* after = spans.named("after");
  ASSERT_TRUE(step && statement && after);
  EXPECT_EQ(step->parent_id, request_span);
  EXPECT_EQ(statement->parent_id, step->span_id);
  EXPECT_EQ(after->parent_id, request_span) << "the step's end made its parent current again";
  EXPECT_EQ(text(scope->span_id), request_span);
  for (const auto* r : {step, statement, after}) EXPECT_EQ(r->trace_id, scope->trace());
  EXPECT_EQ(statement->kind, 3) << "SPAN_KIND_CLIENT";
  EXPECT_EQ(after->status, 2) << "STATUS_CODE_ERROR";
  EXPECT_NE(step->span_id, statement->span_id);
}

TEST(ActiveSpanTest, NothingIsRecordedUnsampledUntracedOrWithoutAnExporter) {
  asio::io_context io;
  Spans spans(io);
  auto unsampled = scope_of(continue_or_start("", "", 0.0), &spans.tracer);
  asio::co_spawn(trace_executor(io.get_executor(), unsampled), step_with_statement(),
                 asio::detached);
  asio::co_spawn(io.get_executor(), step_with_statement(), asio::detached);
  Tracer idle;  // nothing attached
  asio::co_spawn(trace_executor(io.get_executor(), sampled_scope(idle)), step_with_statement(),
                 asio::detached);
  io.run_for(200ms);
  EXPECT_TRUE(spans.recorded.empty());
  ActiveSpan outside("x", SpanKind::internal);
  EXPECT_FALSE(outside.recording());
}

TEST(ActiveSpanTest, ARootSpanTakesTheScopesSpanIdAndHasNoParent) {
  asio::io_context io;
  Spans spans(io);
  auto scope = sampled_scope(spans.tracer);
  { auto root = ActiveSpan::root(scope, "job cleanup", SpanKind::internal); }
  io.run_for(100ms);
  ASSERT_EQ(spans.recorded.size(), 1u);
  EXPECT_EQ(spans.recorded[0].span_id, text(scope->span_id));
  EXPECT_EQ(spans.recorded[0].parent_id, "");
}

TEST(ActiveSpanTest, ASpanMayOutliveTheWorkWhoseScopeItJoined) {
  // Untraced work run inline by a traced handler sees its scope (see current_trace_scope); the
  // span it starts there must stay valid after that work and its scope are gone.
  asio::io_context io;
  Spans spans(io);
  auto scope = sampled_scope(spans.tracer);
  const std::string trace(scope->trace());
  std::optional<ActiveSpan> late;
  {
    CurrentTraceScope current(scope);
    late.emplace("SELECT", SpanKind::client);
  }
  scope.reset();
  EXPECT_EQ(current_trace_scope(), nullptr);
  late.reset();
  io.run_for(100ms);
  ASSERT_EQ(spans.recorded.size(), 1u);
  EXPECT_EQ(spans.recorded[0].trace_id, trace);
}

TEST(ActiveSpanTest, TheTraceparentOfAnOutboundCallNamesTheSpan) {
  asio::io_context io;
  Spans spans(io);
  auto scope = sampled_scope(spans.tracer);
  std::string header;
  {
    ActiveSpan call(scope, "chat fake-model", SpanKind::client);
    const auto traceparent = call.traceparent();
    header.assign(traceparent.data(), traceparent.size());
  }
  io.run_for(100ms);
  ASSERT_EQ(spans.recorded.size(), 1u);
  EXPECT_EQ(header, "00-" + std::string(scope->trace()) + "-" + spans.recorded[0].span_id + "-01");
}

}  // namespace
}  // namespace netra::telemetry
