#include "chat/detail/chat_rows.hpp"

#include "chat/chat_validation.hpp"

namespace netra::chat::detail {
namespace {

// Stored JSON that does not parse means the row was written by something other than these
// stores: an internal error, not a reason to throw across an event loop.
ChatResult<nlohmann::json> stored_json(const std::string& text, const char* what) {
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return failed({db::DbErrorCode::internal, std::string("stored ") + what + " is not JSON"});
  }
  return value;
}

std::optional<int64_t> optional_int(const db::Row& row, size_t column) {
  if (row.is_null(column)) return std::nullopt;
  return row.int64(column);
}

}  // namespace

db::SqlParam optional_param(const std::optional<std::string>& value) {
  return value ? db::SqlParam(*value) : db::SqlParam(nullptr);
}

ChatResult<Thread> thread_from(const db::QueryResult& r, size_t i) {
  const auto& x = r.rows[i];
  return Thread{x.text(r.column("id")),
                x.text(r.column("owner_id")),
                x.optional_text(r.column("title")),
                x.text(r.column("metadata")),
                x.int64(r.column("created_at")),
                x.int64(r.column("updated_at")),
                x.int64(r.column("message_count"))};
}

ChatResult<Message> message_from(const db::QueryResult& r, size_t i) {
  const auto& x = r.rows[i];
  auto metadata = stored_json(x.text(r.column("metadata")), "message metadata");
  if (!metadata) return metadata.error();
  auto role = parse_role(x.text(r.column("role")));
  if (!role) return failed({db::DbErrorCode::internal, "stored message role is unknown"});
  return Message{x.text(r.column("id")),
                 x.text(r.column("thread_id")),
                 *role,
                 x.text(r.column("content")),
                 std::move(metadata.value()),
                 x.optional_text(r.column("run_id")),
                 x.int64(r.column("created_at"))};
}

ChatResult<Run> run_from(const db::QueryResult& r, size_t i) {
  const auto& x = r.rows[i];
  auto status = parse_run_status(x.text(r.column("status")));
  if (!status) return failed({db::DbErrorCode::internal, "stored run status is unknown"});
  return Run{x.text(r.column("id")),
             x.text(r.column("thread_id")),
             x.text(r.column("user_id")),
             *status,
             x.text(r.column("user_request")),
             x.optional_text(r.column("error")),
             x.int64(r.column("created_at")),
             optional_int(x, r.column("started_at")),
             optional_int(x, r.column("finished_at"))};
}

ChatResult<RunStep> step_from(const db::QueryResult& r, size_t i) {
  const auto& x = r.rows[i];
  auto payload = stored_json(x.text(r.column("payload")), "step payload");
  if (!payload) return payload.error();
  return RunStep{x.text(r.column("run_id")), x.int64(r.column("seq")), x.text(r.column("type")),
                 std::move(payload.value()), x.int64(r.column("created_at"))};
}

ChatResult<std::string> checked_new_thread(const NewThread& thread) {
  if (thread.title) {
    if (auto bad = check_title(*thread.title)) return ChatError::invalid(std::move(*bad));
  }
  if (auto bad = check_metadata(thread.metadata)) return ChatError::invalid(std::move(*bad));
  return thread.metadata.dump();
}

ChatResult<std::string> checked_new_message(const NewMessage& message) {
  if (auto bad = check_content(message.content)) return ChatError::invalid(std::move(*bad));
  if (auto bad = check_metadata(message.metadata)) return ChatError::invalid(std::move(*bad));
  if (message.run_id) {
    if (auto bad = check_id(*message.run_id, IdKind::run, "run_id")) {
      return ChatError::invalid(std::move(*bad));
    }
  }
  return message.metadata.dump();
}

}  // namespace netra::chat::detail
