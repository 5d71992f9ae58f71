#include "core/id.hpp"

#include <sys/random.h>

#include <array>
#include <stdexcept>

namespace netra::core {

std::string make_id(std::string_view prefix) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 16> bytes{};
  if (::getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    throw std::runtime_error("getrandom failed");
  }
  std::string id(prefix);
  id += '_';
  // 128 bits as 22 base64url characters (the last carries 2 bits).
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      id += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) id += kAlphabet[(buffer << (6 - bits)) & 63];
  return id;
}

}  // namespace netra::core
