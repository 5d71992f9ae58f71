// Redis replies as the connection reads them: any bytes from the server through hiredis's RESP
// reader, bounded as the connection bounds it, each reply copied into a RedisReply
// (redis/detail/hiredis_replies.cpp). A reply written back as RESP and read again must copy to the
// same value: nothing is lost or changed in the copy. The fuzzer runs with -rss_limit_mb=4096, so
// an array header that makes hiredis allocate gigabytes is a finding (it was: kMaxReplyElements).
#include <hiredis/hiredis.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "redis/detail/hiredis_replies.hpp"

namespace {

using netra::redis::RedisReply;

void write_resp(const RedisReply& reply, std::string& out) {
  switch (reply.type) {
    case RedisReply::Type::nil:
      out += "$-1\r\n";
      return;
    case RedisReply::Type::string:
      out += "$" + std::to_string(reply.text.size()) + "\r\n" + reply.text + "\r\n";
      return;
    case RedisReply::Type::status:
      out += "+" + reply.text + "\r\n";
      return;
    case RedisReply::Type::integer:
      out += ":" + std::to_string(reply.integer) + "\r\n";
      return;
    case RedisReply::Type::array:
      out += "*" + std::to_string(reply.elements.size()) + "\r\n";
      for (const auto& element : reply.elements) write_resp(element, out);
      return;
  }
}

bool same(const RedisReply& a, const RedisReply& b) {
  if (a.type != b.type || a.text != b.text || a.integer != b.integer ||
      a.elements.size() != b.elements.size())
    return false;
  for (size_t i = 0; i < a.elements.size(); ++i)
    if (!same(a.elements[i], b.elements[i])) return false;
  return true;
}

// Every complete reply in `bytes`, copied; stops at the first protocol error (the connection is
// then dropped, as hiredis's async context does).
std::vector<RedisReply> read_replies(std::string_view bytes, bool& protocol_error) {
  std::vector<RedisReply> replies;
  redisReader* reader = redisReaderCreate();
  netra::redis::detail::bound_replies(*reader);
  protocol_error = redisReaderFeed(reader, bytes.data(), bytes.size()) != REDIS_OK;
  while (!protocol_error) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
      protocol_error = true;
      break;
    }
    if (reply == nullptr) break;  // needs more bytes
    auto* r = static_cast<redisReply*>(reply);
    if (r->type != REDIS_REPLY_ERROR) replies.push_back(netra::redis::detail::copy_reply(*r));
    freeReplyObject(reply);
  }
  redisReaderFree(reader);
  return replies;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bool protocol_error = false;
  const auto replies =
      read_replies(std::string_view(reinterpret_cast<const char*>(data), size), protocol_error);
  for (const auto& reply : replies) {
    std::string written;
    write_resp(reply, written);
    bool again_error = false;
    const auto again = read_replies(written, again_error);
    FUZZ_CHECK(!again_error);
    FUZZ_CHECK(again.size() == 1);
    FUZZ_CHECK(same(again.front(), reply));
  }
  return 0;
}
