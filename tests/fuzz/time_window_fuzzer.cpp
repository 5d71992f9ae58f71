// Triage's reading of a request — the period ("last 3 weeks", "in March", ISO dates), the intent,
// the models and the workloads it names — on any text a user can send (valid UTF-8, as the chat
// validation guarantees). The first 8 bytes of an input are its `now`.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "agents/time_window.hpp"
#include "agents/triage.hpp"
#include "core/utf8.hpp"
#include "fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return -1;
  uint64_t raw_now = 0;
  std::memcpy(&raw_now, data, 8);
  // Any instant from 1970 to 2100, the run's clock reads one of those.
  const auto now_ms = static_cast<int64_t>(raw_now % 4'102'444'800'000ULL);
  const std::string_view text(reinterpret_cast<const char*>(data) + 8, size - 8);
  if (!netra::core::is_valid_utf8(text)) return -1;

  const auto window = netra::agents::parse_time_window(text, now_ms);
  FUZZ_CHECK(window.range.from_ms <=
             window.range.to_ms);  // empty at the very start of "this month"
  FUZZ_CHECK(window.range.to_ms <= now_ms);
  FUZZ_CHECK(!window.label.empty());

  const auto result = netra::agents::triage(text, now_ms);
  FUZZ_CHECK(result.window.range.from_ms == window.range.from_ms);
  FUZZ_CHECK(result.window.range.to_ms == window.range.to_ms);
  // Stored with the run's steps: it must serialise (nlohmann throws on invalid UTF-8).
  (void)netra::agents::to_json(result).dump();
  return 0;
}
