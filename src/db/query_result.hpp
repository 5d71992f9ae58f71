// Parameters and results of SQL statements, the same for every driver: parameters are bound
// ($1, $2, ...), never spliced into SQL text; results are rows of nullable text with typed
// accessors.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace netra::db {

// A bound parameter: NULL, integer, real, boolean or text.
using SqlParam = std::variant<std::nullptr_t, int64_t, double, bool, std::string>;
using Params = std::vector<SqlParam>;

// Thrown by a typed accessor on a column that is NULL or does not hold that type: a programming
// error in the query, not a runtime condition.
class ColumnError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  bool is_null(size_t i) const { return !values_.at(i).has_value(); }
  const std::string& text(size_t i) const;
  int64_t int64(size_t i) const;
  double real(size_t i) const;
  bool boolean(size_t i) const;  // accepts t/f (PostgreSQL) and 1/0 (SQLite)
  std::optional<std::string> optional_text(size_t i) const { return values_.at(i); }
  // The value moved out, for a record built once from its row (a page of threads is 20 rows of
  // ids and titles that need not be copied): the column reads "" afterwards. take_text throws
  // ColumnError on NULL, as text does.
  std::string take_text(size_t i);
  std::optional<std::string> take_optional_text(size_t i) {
    auto& v = values_.at(i);
    return v ? std::optional(std::exchange(*v, std::string())) : std::nullopt;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  int64_t affected_rows = 0;

  bool empty() const { return rows.empty(); }
  // Index of a column by name; throws ColumnError for an unknown one.
  size_t column(std::string_view name) const;
};

}  // namespace netra::db
