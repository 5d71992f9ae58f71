// The limits a chat request must respect, checked the same way by the REST routes, the WebSocket
// channel and the stores (which check again before any query): pure functions that name the field
// at fault and say why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "chat/chat_error.hpp"
#include "core/result.hpp"
#include "core/utf8.hpp"

namespace netra::chat {

inline constexpr size_t kMaxTitleCodePoints = 200;
inline constexpr size_t kMaxContentBytes = 32 * 1024;
inline constexpr size_t kMaxMetadataBytes = 8 * 1024;  // compact serialisation
inline constexpr size_t kMaxStepTypeBytes = 64;
// A run step is an event clients receive over the socket too: well under the socket's outbound
// bound (websocket.max_queued_bytes, 1 MiB by default).
inline constexpr size_t kMaxStepPayloadBytes = 256 * 1024;  // compact serialisation
inline constexpr int64_t kMaxPageLimit = 100;

using core::count_code_points;
using core::is_valid_utf8;

// Each returns nothing when the value is acceptable, else the field and the reason.

// At most 200 code points of UTF-8 text without NUL; may be empty.
std::optional<FieldError> check_title(std::string_view title, std::string field = "title");
// 1 byte to 32 KiB of UTF-8 text without NUL (PostgreSQL text cannot hold NUL).
std::optional<FieldError> check_content(std::string_view content, std::string field = "content");
// A JSON object whose compact serialisation is at most 8 KiB.
std::optional<FieldError> check_metadata(const nlohmann::json& metadata,
                                         std::string field = "metadata");
// 1 to 64 bytes of UTF-8 without NUL.
std::optional<FieldError> check_step_type(std::string_view type, std::string field = "type");
// limit 1–100, offset not negative.
std::optional<FieldError> check_page(int64_t limit, int64_t offset);

enum class IdKind { thread, message, run };
std::string_view id_prefix(IdKind kind);  // "thr", "msg", "run"
// The shape core::make_id produces: "<prefix>_" and 22 base64url characters carrying 128 bits
// (so the last one is A, Q, g or w).
std::optional<FieldError> check_id(std::string_view id, IdKind kind, std::string field);

// The compact serialisation of any JSON value, or why there is none (a string that is not
// UTF-8). Metadata and step payloads are stored as this text.
core::Result<std::string, FieldError> serialize_json(const nlohmann::json& value,
                                                     std::string field);

}  // namespace netra::chat
