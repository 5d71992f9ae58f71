// The server-sent events reader: the specification's line endings, comments, fields and dispatch,
// whatever way the bytes are cut as they arrive — and a line too long ends the reading.
#include "net/sse_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "net/sse_event.hpp"

namespace netra::net {
namespace {

std::vector<SseMessage> read_in_pieces(std::string_view stream, size_t piece) {
  SseReader reader;
  std::vector<SseMessage> out;
  for (size_t at = 0; at < stream.size(); at += piece) {
    reader.feed(stream.substr(at, piece), [&](const SseMessage& m) { out.push_back(m); });
  }
  return out;
}

TEST(SseReader, ReadsEventsHoweverTheBytesAreCut) {
  const std::string stream =
      ": connected\r\nretry: 3000\r\n\r\n"
      "data: {\"a\":1}\n\n"
      "event: done\rid: 7\rdata: first\rdata:second\r\r"
      "data\n\n"
      "data: no blank line after it";
  for (size_t piece : {size_t{1}, size_t{2}, size_t{5}, stream.size()}) {
    const auto events = read_in_pieces(stream, piece);
    ASSERT_EQ(events.size(), 3u) << "in pieces of " << piece;
    EXPECT_EQ(events[0].type, "message");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[0].id, "");
    EXPECT_EQ(events[1].type, "done");
    EXPECT_EQ(events[1].data, "first\nsecond") << "one leading space is dropped, lines joined";
    EXPECT_EQ(events[1].id, "7");
    EXPECT_EQ(events[2].data, "") << "a data field without a colon is empty data";
    EXPECT_EQ(events[2].id, "7") << "the last id carries over";
  }
}

TEST(SseReader, ReadsWhatTheServerWrites) {
  const auto events = read_in_pieces(sse_event("agent_thinking", "{\"seq\":3}", 3) +
                                         sse_event("agent_completed", "{\"seq\":4}", 4),
                                     3);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "agent_thinking");
  EXPECT_EQ(events[0].id, "3");
  EXPECT_EQ(events[1].data, "{\"seq\":4}");
}

TEST(SseReader, ALineBeyondTheLimitEndsTheReading) {
  SseReader reader(16);
  int events = 0;
  reader.feed("data: " + std::string(40, 'x') + "\n\ndata: ok\n\n",
              [&](const SseMessage&) { ++events; });
  EXPECT_TRUE(reader.overflowed());
  EXPECT_EQ(events, 0);
}

}  // namespace
}  // namespace netra::net
