// What netra takes from hiredis's RESP reader: replies copied into our own RedisReply before
// hiredis frees them, and a bound on what the reader may allocate for one reply. Used by
// redis_connection.cpp and by the fuzzer of replies (tests/fuzz/redis_reply_fuzzer.cpp).
#pragma once

#include <cstddef>

#include "redis/redis_reply.hpp"

struct redisReply;
struct redisReader;

namespace netra::redis::detail {

// The most elements one array reply may declare. hiredis 0.14 allocates an array's element
// pointers as soon as it reads the header ("*1922337201\r\n": 15 GB, found by the fuzzer), before
// one element arrived; no command of ours reads anywhere near this many.
inline constexpr size_t kMaxReplyElements = 1 << 20;

// Makes `reader` refuse, as a protocol error, an array reply declaring more than
// kMaxReplyElements elements (the connection then drops, as on any protocol error).
void bound_replies(redisReader& reader);

// Strings and statuses copied, integers, arrays element by element; nil (and an error reply,
// which the connection answers before it gets here) as nil.
RedisReply copy_reply(const redisReply& reply);

}  // namespace netra::redis::detail
