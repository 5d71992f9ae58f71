// The JSON of the workload routes: a summary as clients see it, the times they may give
// (Unix seconds or ISO-8601).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_store.hpp"
#include "net/http_message.hpp"

namespace netra::api {

// Unix seconds ("1717200000") or ISO-8601 in UTC or with an offset ("2024-06-01",
// "2024-06-01T12:30:00Z", "2024-06-01T14:30:00.250+02:00"), as Unix milliseconds; nullopt when
// it is neither, or outside 1970–2100.
std::optional<int64_t> parse_time(std::string_view text);

nlohmann::json group_summary_json(const analytics::GroupSummary& group);

}  // namespace netra::api
