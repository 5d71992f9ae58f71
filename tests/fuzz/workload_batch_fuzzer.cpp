// Workload-event batches as POST /api/workloads/events reads them: the parse held to its bounds as
// it builds (net/json_parse.hpp), and the reading of each event with its problems. The bounded
// parse must agree with the unbounded one, and a batch read without problems must
// satisfy every store's limits and survive its way out (the JSON reports show) and back unchanged.
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "analytics/workload_event.hpp"
#include "analytics/workload_event_json.hpp"
#include "core/utf8.hpp"
#include "fuzz/fuzz_check.hpp"
#include "net/json_parse.hpp"

namespace {

using namespace netra;

constexpr std::string_view kCaller = "usr_fuzz";

bool text_a_store_holds(const std::string& text) {
  return core::is_valid_utf8(text) && text.find('\0') == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto bounds = net::JsonBoundsOutcome::within;
  boost::json::monotonic_resource arena;
  const auto document = net::parse_json_within(
      body, {8, analytics::kMaxBatchEvents * 64, analytics::kMaxBatchEvents}, bounds, &arena);
  boost::system::error_code ec;
  const auto unbounded = net::parse_json(body, ec);
  // Bounded reading stops at the first bound passed, so it may see less of a text than unbounded
  // reading: what it lets through must be the same document, what it calls invalid must not parse.
  if (bounds == net::JsonBoundsOutcome::within) FUZZ_CHECK(!ec && document == unbounded);
  if (bounds == net::JsonBoundsOutcome::invalid_json) FUZZ_CHECK(ec);
  if (bounds != net::JsonBoundsOutcome::within || !document.is_array()) return 0;

  const auto parsed = analytics::events_from_json(document.get_array(), kCaller);
  FUZZ_CHECK(parsed.events.size() == document.get_array().size());
  FUZZ_CHECK((parsed.bad_events == 0) == parsed.problems.empty());
  if (parsed.bad_events > 0) return 0;

  for (size_t i = 0; i < parsed.events.size(); ++i) {
    const auto& event = parsed.events[i];
    FUZZ_CHECK(analytics::validate_event(event, i).empty());
    FUZZ_CHECK(event.user_id.empty() || event.user_id == kCaller);
    for (const auto* text : {&event.event_id, &event.workload_id, &event.provider, &event.model,
                             &event.error_type, &event.prompt_hash})
      FUZZ_CHECK(text_a_store_holds(*text));
    for (const auto& [key, value] : event.tags)
      FUZZ_CHECK(text_a_store_holds(key) && text_a_store_holds(value));

    const auto shown = analytics::to_json(event).dump();  // throws on text that is not UTF-8
    boost::json::array again;
    again.push_back(net::parse_json(shown, ec));
    FUZZ_CHECK(!ec);
    const auto reread = analytics::events_from_json(again, kCaller);
    FUZZ_CHECK(reread.problems.empty());
    auto expected = event;
    expected.user_id = reread.events.front().user_id;  // what the client sent is not kept
    FUZZ_CHECK(reread.events.front() == expected);
  }
  return 0;
}
