#include "analytics/clickhouse_literal.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace netra::analytics {

ClickHouseLiteral ClickHouseLiteral::string(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('\'');
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\0':
        out += "\\0";  // 18.16 reads \0 as one NUL, never as the start of an octal number
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        // Other control bytes would be read as they are, but escaped the query stays one
        // printable line in logs and error messages.
        if (byte < 0x20 || byte == 0x7F) {
          out += fmt::format("\\x{:02X}", byte);
        } else {
          out.push_back(c);
        }
      }
    }
  }
  out.push_back('\'');
  return ClickHouseLiteral(std::move(out));
}

ClickHouseLiteral ClickHouseLiteral::integer(int64_t value) {
  return ClickHouseLiteral(std::to_string(value));
}

core::Result<ClickHouseLiteral, std::string> ClickHouseLiteral::real(double value) {
  if (!std::isfinite(value)) return std::string("a ClickHouse number must be finite");
  // 18.16's parser refuses a subnormal literal ("5e-324" is a syntax error), found by
  // tests/analytics/clickhouse_literal_roundtrip_test.cpp against the real server.
  if (std::fpclassify(value) == FP_SUBNORMAL)
    return std::string(
        "a ClickHouse number literal cannot be subnormal (closer to 0 than 2.2e-308)");
  // "-0" is the integer 0 negated to ClickHouse: a zero's sign needs a decimal point to survive.
  if (value == 0 && std::signbit(value)) return ClickHouseLiteral("-0.0");
  // fmt prints the shortest text that reads back as the same double ("0.1", "1e-07").
  return ClickHouseLiteral(fmt::format("{}", value));
}

core::Result<ClickHouseLiteral, std::string> ClickHouseLiteral::identifier(std::string_view name) {
  const auto letter = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  bool ok = !name.empty() && name.size() <= 64 && letter(name.front());
  for (const char c : name) ok = ok && (letter(c) || digit(c));
  if (!ok) {
    return std::string(
        "a ClickHouse name must be 1 to 64 of A-Z, a-z, 0-9 and _, not starting "
        "with a digit");
  }
  return ClickHouseLiteral(std::string(name));
}

std::string render(std::string_view sql, std::initializer_list<ClickHouseLiteral> literals) {
  std::string out;
  out.reserve(sql.size() + 64 * literals.size());
  auto next = literals.begin();
  for (const char c : sql) {
    if (c != '?') {
      out.push_back(c);
      continue;
    }
    if (next == literals.end()) throw std::logic_error("render: more placeholders than literals");
    out += next->sql();
    ++next;
  }
  if (next != literals.end()) throw std::logic_error("render: more literals than placeholders");
  return out;
}

}  // namespace netra::analytics
