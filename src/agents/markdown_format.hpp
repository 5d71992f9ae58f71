// MarkdownFormat: how the report writes numbers, money, shares, times and user-supplied names —
// one place, so every table and sentence of a report reads the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agents/recommendation.hpp"

namespace netra::agents::markdown {

std::string count(double value);    // "9,140" (rounded)
std::string money(double usd);      // "$1,234.57", "<$0.01", "$0.00"
std::string percent(double share);  // 0.9402 → "94.0%"
// At most `decimals` decimals, no trailing zeros: "16.67", "40".
std::string plain(double value, int decimals = 2);
std::string utc_time(int64_t unix_ms);                 // "2024-06-08 00:00 UTC"
std::string evidence_value(const Evidence& evidence);  // by its unit
std::string evidence_name(std::string_view name);      // "avg_input_tokens" → "avg input tokens"

// A name from the data (a workload id, a model) as inline code that no backtick, pipe or line
// break inside it can end early or break a table.
std::string code(std::string_view name);
// Text for a table cell: pipes escaped, line breaks as spaces.
std::string cell(std::string_view text);

}  // namespace netra::agents::markdown
