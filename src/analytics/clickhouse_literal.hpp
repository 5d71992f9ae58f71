// ClickHouseLiteral: the one way a value enters a ClickHouse query. The server that Debian
// packages (18.16) has no query parameters, so values are spliced as literals — typed, escaped by
// ClickHouse's own rules — and identifiers are checked; render() builds queries only from these.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace netra::analytics {

class ClickHouseLiteral {
 public:
  // A quoted string: backslash, single quote and control characters escaped (NUL as \0, the
  // rest as \b \f \n \r \t or \xHH); every other byte, multi-byte UTF-8 included, as it is.
  static ClickHouseLiteral string(std::string_view value);
  static ClickHouseLiteral integer(int64_t value);
  // A finite number in its shortest exact form; NaN and infinities are refused (ClickHouse would
  // read them as column names or keywords), and subnormals (18.16 cannot parse them).
  static core::Result<ClickHouseLiteral, std::string> real(double value);
  // A database, table or column name: [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes, spliced bare
  // (never quoted, so nothing can close a quote).
  static core::Result<ClickHouseLiteral, std::string> identifier(std::string_view name);

  const std::string& sql() const { return sql_; }

 private:
  explicit ClickHouseLiteral(std::string sql) : sql_(std::move(sql)) {}
  std::string sql_;
};

// `sql` with each `?` replaced, in order, by the next literal's text. The template is ours (it
// never holds a value); a count mismatch is a programming error and throws std::logic_error.
std::string render(std::string_view sql, std::initializer_list<ClickHouseLiteral> literals);

}  // namespace netra::analytics
