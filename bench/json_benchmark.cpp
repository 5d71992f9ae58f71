// JSON on the request path, Boost.JSON beside the nlohmann code it replaced or could replace:
//   - encoding a page of 20 threads (the body of GET /api/threads) from the rows as the store hands
//     them over, metadata as its stored text: the nlohmann parse and encoder the route used first
//     and the Boost.JSON document it built next (both kept here, word for word, as baselines)
//     against api::thread_page_json, which writes the page directly;
//   - decoding a batch of 10,000 workload events (a full POST /api/workloads/events body) into a
//     document: nlohmann::json::parse (what the route ran before) against boost::json::parse and
//     net::parse_json (Boost.JSON with exact doubles), and the route's whole decode now
//     (net::parse_json_within, the parse held to the route's bounds as it builds, then
//     analytics::events_from_json).
//     The route's whole decode through nlohmann measured 37.2 ms at cb14a97.
//
//   bench/json.sh
#include <benchmark/benchmark.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <nlohmann/json.hpp>

#include "analytics/workload_event_json.hpp"
#include "api/chat_json.hpp"
#include "net/json_parse.hpp"

namespace {

using namespace netra;

std::vector<chat::Thread> thread_page() {
  std::vector<chat::Thread> page;
  for (int i = 0; i < 20; ++i) {
    chat::Thread t;
    t.id = "thr_k5TzELjHAUYtJgdHpQPC" + std::to_string(10 + i);
    t.owner_id = "usr_NGD36GKKdMr6pgDs0Oz0ow";
    t.title = "thread " + std::to_string(i);
    t.metadata_json = nlohmann::json{{"n", i}, {"source", "bench"}}.dump();
    t.created_at = 1'796'339'837'000 + i;
    t.updated_at = t.created_at;
    t.message_count = i;
    page.push_back(std::move(t));
  }
  return page;
}

// The route's encoder before Boost.JSON (api/chat_json.cpp at c0cad5a), with the parse of the
// stored metadata that the store then ran on every row it read (chat/detail/chat_rows.cpp).
nlohmann::json nlohmann_thread_json(const chat::Thread& t) {
  return {{"id", t.id},
          {"object", "thread"},
          {"title", t.title ? nlohmann::json(*t.title) : nlohmann::json(nullptr)},
          {"created_at", t.created_at / 1000},
          {"updated_at", t.updated_at / 1000},
          {"metadata", nlohmann::json::parse(t.metadata_json)},
          {"message_count", t.message_count}};
}

void BM_ThreadPageNlohmann(benchmark::State& state) {
  const auto page = thread_page();
  for (auto _ : state) {
    auto out = nlohmann::json::array();
    for (const auto& t : page) out.push_back(nlohmann_thread_json(t));
    auto body = out.dump();
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}

// The route's encoder from cb14a97 to f01ce8b (api/chat_json.cpp): a Boost.JSON document of the
// page in one arena, the stored metadata parsed into it, then serialised.
boost::json::object boost_thread_json(const chat::Thread& t, boost::json::storage_ptr sp) {
  boost::json::object out(7, sp);
  out.emplace("created_at", t.created_at / 1000);
  out.emplace("id", t.id);
  out.emplace("message_count", t.message_count);
  boost::system::error_code ec;
  out.emplace("metadata", net::parse_json(t.metadata_json, ec, sp));
  out.emplace("object", "thread");
  if (t.title) {
    out.emplace("title", *t.title);
  } else {
    out.emplace("title", nullptr);
  }
  out.emplace("updated_at", t.updated_at / 1000);
  return out;
}

std::string boost_thread_page_json(const std::vector<chat::Thread>& threads) {
  boost::json::monotonic_resource arena;
  boost::json::array page(&arena);
  page.reserve(threads.size());
  for (const auto& t : threads) page.emplace_back(boost_thread_json(t, &arena));
  return boost::json::serialize(page);
}

void BM_ThreadPageBoostJsonDocument(benchmark::State& state) {
  const auto page = thread_page();
  for (auto _ : state) {
    auto body = boost_thread_page_json(page);
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ThreadPageWritten(benchmark::State& state) {
  const auto page = thread_page();
  // All three write the same bytes: what clients read did not change.
  auto baseline = nlohmann::json::array();
  for (const auto& t : page) baseline.push_back(nlohmann_thread_json(t));
  if (api::thread_page_json(page) != baseline.dump()) state.SkipWithError("bodies differ");
  if (boost_thread_page_json(page) != baseline.dump()) state.SkipWithError("bodies differ");
  for (auto _ : state) {
    auto body = api::thread_page_json(page);
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}

// A full batch as clients send it: every field, a tag, realistic names and numbers.
const std::string& ingest_batch() {
  static const std::string body = [] {
    auto events = nlohmann::json::array();
    const char* models[] = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "llama-3.1-70b"};
    for (int i = 0; i < 10'000; ++i) {
      analytics::WorkloadEvent e;
      e.event_id = "evt_batch_" + std::to_string(i);
      e.timestamp_ms = 1'796'339'837'000 + i * 1000;
      e.workload_id = i % 3 == 0 ? "support-chat" : "summarise-tickets";
      e.provider = i % 4 == 2 ? "anthropic" : "openai";
      e.model = models[i % 4];
      e.input_tokens = 800 + (i * 37) % 3000;
      e.output_tokens = 120 + (i * 13) % 600;
      e.latency_ms = 400 + (i * 7) % 2500;
      e.cost_usd = 0.0001 * static_cast<double>(1 + i % 97);
      e.prompt_hash = "ph_" + std::to_string(i % 500);
      e.cached = i % 10 == 0;
      e.tags = {{"team", i % 2 ? "growth" : "care"}};
      auto json = analytics::to_json(e);
      json.erase("user_id");
      events.push_back(std::move(json));
    }
    return events.dump();
  }();
  return body;
}

void BM_IngestBatchParseNlohmann(benchmark::State& state) {
  const auto& body = ingest_batch();
  for (auto _ : state) {
    auto document = nlohmann::json::parse(body, nullptr, false);
    benchmark::DoNotOptimize(document);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_IngestBatchParseBoostJson(benchmark::State& state) {
  const auto& body = ingest_batch();
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    boost::system::error_code ec;
    auto document = boost::json::parse(body, ec, &arena);
    benchmark::DoNotOptimize(document);
    if (ec) state.SkipWithError("parse failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

// The same document through net::parse_json: Boost.JSON's event parser and value_stack, with the
// doubles read again exactly by std::from_chars (Boost 1.81 misreads one 17-digit number in five).
void BM_IngestBatchParseExact(benchmark::State& state) {
  const auto& body = ingest_batch();
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    boost::system::error_code ec;
    auto document = net::parse_json(body, ec, &arena);
    benchmark::DoNotOptimize(document);
    if (ec) state.SkipWithError("parse failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

// The parse as the route runs it: net::parse_json held to the route's bounds while it builds.
void BM_IngestBatchParseWithin(benchmark::State& state) {
  const auto& body = ingest_batch();
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    auto outcome = net::JsonBoundsOutcome::within;
    auto document = net::parse_json_within(body, {8, 640'000, 10'000}, outcome, &arena);
    benchmark::DoNotOptimize(document);
    if (outcome != net::JsonBoundsOutcome::within) state.SkipWithError("out of bounds");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

// The route's decode: the bounded parse into an arena, every event read and checked.
void BM_IngestBatchDecodeRoute(benchmark::State& state) {
  const auto& body = ingest_batch();
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    auto outcome = net::JsonBoundsOutcome::within;
    auto document = net::parse_json_within(body, {8, 640'000, 10'000}, outcome, &arena);
    if (outcome != net::JsonBoundsOutcome::within) state.SkipWithError("out of bounds");
    auto parsed = analytics::events_from_json(document.as_array(), "usr_bench");
    benchmark::DoNotOptimize(parsed);
    if (parsed.events.size() != 10'000 || parsed.bad_events != 0) state.SkipWithError("bad batch");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

BENCHMARK(BM_ThreadPageNlohmann);
BENCHMARK(BM_ThreadPageBoostJsonDocument);
BENCHMARK(BM_ThreadPageWritten);
BENCHMARK(BM_IngestBatchParseNlohmann)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestBatchParseBoostJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestBatchParseExact)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestBatchParseWithin)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IngestBatchDecodeRoute)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
