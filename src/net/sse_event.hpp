// sse_event: one event in the text/event-stream format (server-sent events), as every stream of
// the service writes it: an optional `id:` (what Last-Event-ID resumes after), its `event:` type
// and one `data:` line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netra::net {

// `data` must be one line (compact JSON: its line breaks are escaped).
std::string sse_event(std::string_view type, std::string_view data,
                      std::optional<int64_t> id = std::nullopt);

}  // namespace netra::net
