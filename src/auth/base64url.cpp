#include "auth/base64url.hpp"

#include <array>

namespace netra::auth {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int, 256> make_table() {
  std::array<int, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr auto kTable = make_table();
}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  // Four characters make three bytes; written in place, since every request decodes a token.
  std::string out(text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1), '\0');
  size_t o = 0;
  size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    const int a = kTable[static_cast<unsigned char>(text[i])];
    const int b = kTable[static_cast<unsigned char>(text[i + 1])];
    const int c = kTable[static_cast<unsigned char>(text[i + 2])];
    const int d = kTable[static_cast<unsigned char>(text[i + 3])];
    if ((a | b | c | d) < 0) return std::nullopt;
    const uint32_t n = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    out[o++] = static_cast<char>(n >> 16);
    out[o++] = static_cast<char>((n >> 8) & 0xff);
    out[o++] = static_cast<char>(n & 0xff);
  }
  const size_t rest = text.size() - i;  // 0, 2 or 3
  if (rest > 0) {
    uint32_t n = 0;
    for (size_t k = 0; k < rest; ++k) {
      const int v = kTable[static_cast<unsigned char>(text[i + k])];
      if (v < 0) return std::nullopt;
      n |= uint32_t(v) << (18 - 6 * k);
    }
    // Leftover bits must be zero, or the text was not produced by an encoder.
    if ((rest == 2 && (n & 0xffff) != 0) || (rest == 3 && (n & 0xff) != 0)) return std::nullopt;
    out[o++] = static_cast<char>(n >> 16);
    if (rest == 3) out[o++] = static_cast<char>((n >> 8) & 0xff);
  }
  return out;
}

}  // namespace netra::auth
