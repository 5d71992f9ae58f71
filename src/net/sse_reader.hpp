// SseReader: the reading side of server-sent events (the WHATWG "text/event-stream" format) for
// the outbound client — bytes in as they arrive, whole events out. Written here because neither
// Debian nor Boost ships a C++ parser for the format; it follows the specification's rules for
// lines (LF, CRLF or CR), comments, the data/event/id fields and dispatch at a blank line.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace netra::net {

struct SseMessage {
  std::string type = "message";  // the `event:` field, "message" when none was given
  std::string data;              // the `data:` lines joined by "\n"
  std::string id;                // the last `id:` seen, as the specification keeps it
};

class SseReader {
 public:
  // A line longer than this (or an event's data beyond it) ends the reading: `overflowed()`.
  explicit SseReader(size_t max_event_bytes = 1 << 20) : max_event_bytes_(max_event_bytes) {}

  // Takes the next bytes of the stream; calls `on_message` for each event they complete.
  void feed(std::string_view bytes, const std::function<void(const SseMessage&)>& on_message);
  bool overflowed() const { return overflowed_; }

 private:
  void line(std::string_view text, const std::function<void(const SseMessage&)>& on_message);

  size_t max_event_bytes_;
  std::string partial_;    // a line not yet ended
  bool after_cr_ = false;  // the last byte was CR: an LF next ends nothing more
  bool has_data_ = false;
  SseMessage event_;
  std::string last_id_;
  bool overflowed_ = false;
};

}  // namespace netra::net
