#include "redis/detail/hiredis_replies.hpp"

#include <hiredis/hiredis.h>

namespace netra::redis::detail {
namespace {

// hiredis's own createArray, saved when the first reader is bounded: every reader that
// redisReaderCreate or redisAsyncConnect makes starts with the same functions.
void* (*hiredis_create_array)(const redisReadTask*, int) = nullptr;

void* bounded_array(const redisReadTask* task, int elements) {
  // A null object makes the reader fail ("Out of memory"): a protocol error on the connection.
  if (elements < 0 || static_cast<size_t>(elements) > kMaxReplyElements) return nullptr;
  return hiredis_create_array(task, elements);
}

}  // namespace

void bound_replies(redisReader& reader) {
  static redisReplyObjectFunctions bounded = [&] {
    redisReplyObjectFunctions functions = *reader.fn;
    hiredis_create_array = functions.createArray;
    functions.createArray = &bounded_array;
    return functions;
  }();
  reader.fn = &bounded;
}

RedisReply copy_reply(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i)
        out.elements.push_back(copy_reply(*reply.element[i]));
      break;
    default:  // nil (an error reply never gets here)
      break;
  }
  return out;
}

}  // namespace netra::redis::detail
