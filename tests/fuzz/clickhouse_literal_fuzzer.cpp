// ClickHouseLiteral, the one way a value enters a ClickHouse query. A string literal, read back by
// ClickHouse's rules for quoted strings (decoded here independently of the encoder), must be the
// value itself, and never end before its closing quote; an identifier is accepted exactly when it
// is [A-Za-z_][A-Za-z0-9_]{0,63}; a real reads back as the same double. The same property is
// checked through a real ClickHouse by tests/analytics/clickhouse_literal_roundtrip_test.cpp.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "analytics/clickhouse_literal.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using netra::analytics::ClickHouseLiteral;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value a quoted ClickHouse string literal stands for, or nullopt when `sql` is not exactly
// one such literal (a quote or backslash left bare, an escape that is not one).
std::optional<std::string> read_string_literal(std::string_view sql) {
  if (sql.size() < 2 || sql.front() != '\'' || sql.back() != '\'') return std::nullopt;
  std::string value;
  for (size_t i = 1; i + 1 < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') return std::nullopt;  // would end the literal early
    if (c != '\\') {
      value += c;
      continue;
    }
    if (i + 2 >= sql.size()) return std::nullopt;  // escapes the closing quote
    const char e = sql[++i];
    switch (e) {
      case '0':
        value += '\0';
        break;
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case '\\':
        value += '\\';
        break;
      case '\'':
        value += '\'';
        break;
      case 'x': {
        if (i + 3 >= sql.size()) return std::nullopt;
        const int high = hex_digit(sql[i + 1]), low = hex_digit(sql[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        value += static_cast<char>(high * 16 + low);
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return value;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto literal = ClickHouseLiteral::string(input).sql();
  const auto read_back = read_string_literal(literal);
  FUZZ_CHECK(read_back.has_value());
  FUZZ_CHECK(*read_back == input);
  for (const char c : literal)  // a control byte is always escaped: logs and the wire stay clean
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);

  FUZZ_CHECK(ClickHouseLiteral::identifier(input).ok() == is_identifier(input));

  if (size >= sizeof(double)) {
    double number = 0;
    std::memcpy(&number, data, sizeof number);
    const auto real = ClickHouseLiteral::real(number);
    FUZZ_CHECK(real.ok() == (std::isfinite(number) && std::fpclassify(number) != FP_SUBNORMAL));
    if (real) FUZZ_CHECK(std::strtod(real->sql().c_str(), nullptr) == number);
    int64_t integer = 0;
    std::memcpy(&integer, data, sizeof integer);
    FUZZ_CHECK(std::strtoll(ClickHouseLiteral::integer(integer).sql().c_str(), nullptr, 10) ==
               integer);
  }
  return 0;
}
