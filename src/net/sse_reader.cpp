#include "net/sse_reader.hpp"

namespace netra::net {

void SseReader::feed(std::string_view bytes,
                     const std::function<void(const SseMessage&)>& on_message) {
  for (const char c : bytes) {
    if (overflowed_) return;
    if (c == '\n' && after_cr_) {  // the LF of a CRLF: the CR ended the line
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      line(partial_, on_message);
      partial_.clear();
      continue;
    }
    partial_.push_back(c);
    if (partial_.size() > max_event_bytes_) overflowed_ = true;
  }
}

void SseReader::line(std::string_view text,
                     const std::function<void(const SseMessage&)>& on_message) {
  if (text.empty()) {  // a blank line dispatches the event, if it has data
    if (has_data_) {
      event_.id = last_id_;
      on_message(event_);
    }
    event_ = SseMessage{};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;  // a comment (a heartbeat)
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) event_.data.push_back('\n');
    event_.data.append(value);
    has_data_ = true;
    if (event_.data.size() > max_event_bytes_) overflowed_ = true;
  } else if (field == "event") {
    event_.type = value.empty() ? "message" : std::string(value);
  } else if (field == "id" && value.find('\0') == std::string_view::npos) {
    last_id_ = std::string(value);
  }  // `retry` and unknown fields: nothing for a client that does not reconnect by itself
}

}  // namespace netra::net
