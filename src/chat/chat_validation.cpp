#include "chat/chat_validation.hpp"

namespace netra::chat {
namespace {

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::optional<FieldError> check_text(std::string_view text, const std::string& field) {
  if (!is_valid_utf8(text)) return FieldError{field, "must be valid UTF-8"};
  if (text.find('\0') != std::string_view::npos) {
    return FieldError{field, "must not contain NUL characters"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> check_title(std::string_view title, std::string field) {
  if (auto bad = check_text(title, field)) return bad;
  if (count_code_points(title) > kMaxTitleCodePoints) {
    return FieldError{std::move(field),
                      "must be at most " + std::to_string(kMaxTitleCodePoints) + " characters"};
  }
  return std::nullopt;
}

std::optional<FieldError> check_content(std::string_view content, std::string field) {
  if (content.empty()) return FieldError{std::move(field), "must not be empty"};
  if (content.size() > kMaxContentBytes) {
    return FieldError{std::move(field),
                      "must be at most " + std::to_string(kMaxContentBytes) + " bytes"};
  }
  return check_text(content, field);
}

std::optional<FieldError> check_metadata(const nlohmann::json& metadata, std::string field) {
  if (!metadata.is_object()) return FieldError{std::move(field), "must be a JSON object"};
  auto text = serialize_json(metadata, field);
  if (!text) return text.error();
  if (text->size() > kMaxMetadataBytes) {
    return FieldError{std::move(field), "must serialise to at most " +
                                            std::to_string(kMaxMetadataBytes) + " bytes of JSON"};
  }
  return std::nullopt;
}

std::optional<FieldError> check_step_type(std::string_view type, std::string field) {
  if (type.empty() || type.size() > kMaxStepTypeBytes) {
    return FieldError{std::move(field),
                      "must be 1 to " + std::to_string(kMaxStepTypeBytes) + " bytes"};
  }
  return check_text(type, field);
}

std::optional<FieldError> check_page(int64_t limit, int64_t offset) {
  if (limit < 1 || limit > kMaxPageLimit) {
    return FieldError{"limit", "must be between 1 and " + std::to_string(kMaxPageLimit)};
  }
  if (offset < 0) return FieldError{"offset", "must not be negative"};
  return std::nullopt;
}

std::string_view id_prefix(IdKind kind) {
  switch (kind) {
    case IdKind::thread:
      return "thr";
    case IdKind::message:
      return "msg";
    case IdKind::run:
      return "run";
  }
  return "";
}

std::optional<FieldError> check_id(std::string_view id, IdKind kind, std::string field) {
  const std::string_view prefix = id_prefix(kind);
  constexpr size_t kRandomChars = 22;
  const bool shaped = id.size() == prefix.size() + 1 + kRandomChars &&
                      id.substr(0, prefix.size()) == prefix && id[prefix.size()] == '_';
  bool ok = shaped;
  for (size_t i = prefix.size() + 1; ok && i < id.size(); ++i) ok = is_base64url(id[i]);
  // 128 bits fill 21 characters and 2 bits of the last, whose other 4 bits are zero.
  if (ok) ok = std::string_view("AQgw").find(id.back()) != std::string_view::npos;
  if (!ok) {
    return FieldError{std::move(field), "must be an id of the form " + std::string(prefix) +
                                            "_ followed by 22 URL-safe characters"};
  }
  return std::nullopt;
}

core::Result<std::string, FieldError> serialize_json(const nlohmann::json& value,
                                                     std::string field) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    return FieldError{std::move(field), "must contain only valid UTF-8 strings"};
  }
}

}  // namespace netra::chat
