#include "core/id.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace netra::core {

namespace {

// 6 bits a character, most significant first, from the low `count` characters of `value`.
void append_sixes(std::string& out, uint64_t value, int count, const char* alphabet) {
  for (int i = count - 1; i >= 0; --i) out += alphabet[(value >> (6 * i)) & 63];
}

}  // namespace

// Random bytes from the OS, taken 4 KiB at a time per thread: an id (every request has one)
// costs a copy, and a system call only every 256th id. The bytes are the kernel's CSPRNG output
// either way; the process does not fork after start, so no two processes share a buffer.
void fill_random(unsigned char* bytes, size_t size) {
  struct Pool {
    std::array<unsigned char, 4096> bytes{};
    size_t used = 4096;
  };
  thread_local Pool pool;
  while (size > 0) {
    if (pool.used == pool.bytes.size()) {
      if (::getrandom(pool.bytes.data(), pool.bytes.size(), 0) !=
          static_cast<ssize_t>(pool.bytes.size())) {
        throw std::runtime_error("getrandom failed");
      }
      pool.used = 0;
    }
    const size_t n = std::min(size, pool.bytes.size() - pool.used);
    std::copy_n(pool.bytes.data() + pool.used, n, bytes);
    // Handed out once: a byte given to one id is wiped from the pool.
    std::fill_n(pool.bytes.data() + pool.used, n, 0);
    pool.used += n;
    bytes += n;
    size -= n;
  }
}

std::string make_sortable_id(std::string_view prefix, int64_t unix_ms) {
  // base64url's characters, in byte order.
  static constexpr char kOrdered[] =
      "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  std::array<unsigned char, 11> random{};
  fill_random(random.data(), random.size());
  uint64_t high = 0;
  uint64_t low = 0;
  for (size_t i = 0; i < 6; ++i) high = (high << 8) | random[i];  // 48 bits: 8 characters
  for (size_t i = 6; i < 11; ++i) low = (low << 8) | random[i];   // 40 bits: 6 of them (36)
  std::string id(prefix);
  id.reserve(prefix.size() + 23);
  id += '_';
  append_sixes(id, static_cast<uint64_t>(std::max<int64_t>(unix_ms, 0)), 8, kOrdered);
  append_sixes(id, high, 8, kOrdered);
  append_sixes(id, low, 6, kOrdered);
  return id;
}

std::string make_id(std::string_view prefix) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 16> bytes{};
  fill_random(bytes.data(), bytes.size());
  // 128 bits as 22 base64url characters (the last carries 2 bits), written in place.
  std::string id(prefix.size() + 23, '_');
  std::copy(prefix.begin(), prefix.end(), id.begin());
  char* out = id.data() + prefix.size() + 1;
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      *out++ = kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) *out = kAlphabet[(buffer << (6 - bits)) & 63];
  return id;
}

}  // namespace netra::core
