// SpanExporter's queue, batches and breaker, with the collector replaced by a fake transport (an
// in-process function that records the bodies and answers as told): what a request may cost and
// what is dropped and counted. tests/tracing/ exports to a real receiver over HTTP.
#include "telemetry/span_exporter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace netra::telemetry {
namespace {

using namespace std::chrono_literals;

Span span_named(const std::string& name) {
  Span span;
  span.trace_id.fill('a');
  span.span_id.fill('b');
  span.name = name;
  span.kind = SpanKind::server;
  span.start_unix_ns = 1;
  span.end_unix_ns = 2;
  return span;
}

// The fake collector: keeps each body's span names, answers `error` ("" = accepted).
struct FakeCollector {
  std::vector<std::vector<std::string>> batches;
  std::string error;

  SpanExporter::Transport transport() {
    return [this](std::string body, core::Deadline) -> asio::awaitable<std::string> {
      std::vector<std::string> names;
      const auto request = nlohmann::json::parse(body);
      for (const auto& span : request["resourceSpans"][0]["scopeSpans"][0]["spans"]) {
        names.push_back(span["name"]);
      }
      batches.push_back(std::move(names));
      co_return error;
    };
  }
};

std::shared_ptr<SpanExporter> make_exporter(asio::io_context& io, FakeCollector& collector,
                                            size_t capacity, size_t batch) {
  return std::make_shared<SpanExporter>(io.get_executor(), collector.transport(), TraceResource{},
                                        SpanExporterOptions{.queue_capacity = capacity,
                                                            .batch_size = batch,
                                                            .flush_interval = 10ms,
                                                            .export_timeout = 1s});
}

TEST(SpanExporterTest, SendsQueuedSpansInBatchesOfTheConfiguredSize) {
  asio::io_context io;
  FakeCollector collector;
  auto exporter = make_exporter(io, collector, 100, 2);
  exporter->start();
  for (const char* name : {"a", "b", "c", "d", "e"})
    EXPECT_TRUE(exporter->submit(span_named(name)));
  io.run_for(100ms);
  ASSERT_EQ(collector.batches.size(), 3u);
  EXPECT_EQ(collector.batches[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(collector.batches[2], (std::vector<std::string>{"e"}));
  EXPECT_EQ(exporter->counts().exported, 5u);
  EXPECT_EQ(exporter->counts().queued, 0u);
}

TEST(SpanExporterTest, AFullQueueDropsNewSpansAtOnceAndCountsThem) {
  asio::io_context io;  // not run yet: nothing leaves the queue
  FakeCollector collector;
  auto exporter = make_exporter(io, collector, 3, 10);
  exporter->start();
  int taken = 0;
  for (int i = 0; i < 5; ++i) taken += exporter->submit(span_named("s"));
  EXPECT_EQ(taken, 3);
  EXPECT_EQ(exporter->counts().dropped_queue_full, 2u);
  io.run_for(100ms);
  EXPECT_EQ(exporter->counts().exported, 3u);
}

TEST(SpanExporterTest, AFailingCollectorOpensTheBreakerAndLaterSpansAreDroppedWithoutACall) {
  asio::io_context io;
  FakeCollector collector;
  collector.error = "the collector answered 503";
  auto exporter = make_exporter(io, collector, 100, 1);
  exporter->start();
  for (int i = 0; i < 10; ++i) exporter->submit(span_named("s"));
  io.run_for(200ms);
  const auto counts = exporter->counts();
  EXPECT_EQ(exporter->breaker().state(), core::BreakerState::open);
  EXPECT_EQ(collector.batches.size(), 3u) << "three failures open it (minimum_calls)";
  EXPECT_EQ(counts.dropped_export_failed, 3u);
  EXPECT_EQ(counts.dropped_breaker_open, 7u);
  EXPECT_EQ(counts.exported, 0u);
}

TEST(SpanExporterTest, StopSendsWhatIsQueuedAndRefusesLaterSpans) {
  asio::io_context io;
  FakeCollector collector;
  auto exporter = std::make_shared<SpanExporter>(
      io.get_executor(), collector.transport(), TraceResource{},
      SpanExporterOptions{.queue_capacity = 100, .batch_size = 50, .flush_interval = 1h});
  exporter->start();
  exporter->submit(span_named("last"));
  asio::co_spawn(io, exporter->stop(core::Deadline::after(1s)), asio::detached);
  io.run_for(100ms);
  ASSERT_EQ(collector.batches.size(), 1u);
  EXPECT_EQ(collector.batches[0], std::vector<std::string>{"last"});
  EXPECT_FALSE(exporter->submit(span_named("late")));
}

TEST(OtlpJsonTest, SpansCarryHexIdsStringTimesNumericKindAndErrorStatus) {
  auto span = span_named("GET /x");
  span.parent_span_id = "00f067aa0ba902b7";
  span.error = true;
  span.status_message = "answered 503";
  span.attributes = {{"http.response.status_code", int64_t{503}}, {"ok", true}, {"r", 0.5}};
  const auto request = nlohmann::json::parse(
      otlp_trace_request({span}, TraceResource{.service_version = "1.2", .instance_id = "ins_1"}));
  const auto& resource = request["resourceSpans"][0]["resource"]["attributes"];
  EXPECT_EQ(resource[0]["key"], "service.name");
  EXPECT_EQ(resource[2]["value"]["stringValue"], "ins_1");
  const auto& out = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(out["traceId"], std::string(32, 'a'));
  EXPECT_EQ(out["parentSpanId"], "00f067aa0ba902b7");
  EXPECT_EQ(out["kind"], 2);
  EXPECT_EQ(out["startTimeUnixNano"], "1");
  EXPECT_EQ(out["status"]["code"], 2);
  EXPECT_EQ(out["attributes"][0]["value"]["intValue"], "503");
  EXPECT_EQ(out["attributes"][1]["value"]["boolValue"], true);
  EXPECT_EQ(out["attributes"][2]["value"]["doubleValue"], 0.5);
}

}  // namespace
}  // namespace netra::telemetry
