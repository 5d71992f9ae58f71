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

ThreadColumns::ThreadColumns(const db::QueryResult& r)
    : id(r.column("id")),
      owner_id(r.column("owner_id")),
      title(r.column("title")),
      metadata(r.column("metadata")),
      created_at(r.column("created_at")),
      updated_at(r.column("updated_at")),
      message_count(r.column("message_count")) {}

MessageColumns::MessageColumns(const db::QueryResult& r)
    : id(r.column("id")),
      thread_id(r.column("thread_id")),
      role(r.column("role")),
      content(r.column("content")),
      metadata(r.column("metadata")),
      run_id(r.column("run_id")),
      created_at(r.column("created_at")) {}

RunColumns::RunColumns(const db::QueryResult& r)
    : id(r.column("id")),
      thread_id(r.column("thread_id")),
      user_id(r.column("user_id")),
      status(r.column("status")),
      user_request(r.column("user_request")),
      error(r.column("error")),
      created_at(r.column("created_at")),
      started_at(r.column("started_at")),
      finished_at(r.column("finished_at")) {}

StepColumns::StepColumns(const db::QueryResult& r)
    : run_id(r.column("run_id")),
      seq(r.column("seq")),
      type(r.column("type")),
      payload(r.column("payload")),
      created_at(r.column("created_at")) {}

ChatResult<Thread> thread_from(db::Row& x, const ThreadColumns& c) {
  return Thread{x.take_text(c.id),       x.take_text(c.owner_id), x.take_optional_text(c.title),
                x.take_text(c.metadata), x.int64(c.created_at),   x.int64(c.updated_at),
                x.int64(c.message_count)};
}

ChatResult<Message> message_from(db::Row& x, const MessageColumns& c) {
  auto metadata = stored_json(x.text(c.metadata), "message metadata");
  if (!metadata) return metadata.error();
  auto role = parse_role(x.text(c.role));
  if (!role) return failed({db::DbErrorCode::internal, "stored message role is unknown"});
  return Message{
      x.take_text(c.id),      x.take_text(c.thread_id),    *role,
      x.take_text(c.content), std::move(metadata.value()), x.take_optional_text(c.run_id),
      x.int64(c.created_at)};
}

ChatResult<Run> run_from(db::Row& x, const RunColumns& c) {
  auto status = parse_run_status(x.text(c.status));
  if (!status) return failed({db::DbErrorCode::internal, "stored run status is unknown"});
  return Run{x.take_text(c.id),
             x.take_text(c.thread_id),
             x.take_text(c.user_id),
             *status,
             x.take_text(c.user_request),
             x.take_optional_text(c.error),
             x.int64(c.created_at),
             optional_int(x, c.started_at),
             optional_int(x, c.finished_at)};
}

ChatResult<RunStep> step_from(db::Row& x, const StepColumns& c) {
  auto payload = stored_json(x.text(c.payload), "step payload");
  if (!payload) return payload.error();
  return RunStep{x.take_text(c.run_id), x.int64(c.seq), x.take_text(c.type),
                 std::move(payload.value()), x.int64(c.created_at)};
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
