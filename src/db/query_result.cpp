#include "db/query_result.hpp"

#include <utility>

#include "core/parse_number.hpp"

namespace netra::db {

namespace {

ColumnError null_column(size_t i) {
  return ColumnError("column " + std::to_string(i) + " is NULL");
}

}  // namespace

const std::string& Row::text(size_t i) const {
  const auto& v = values_.at(i);
  if (!v) throw null_column(i);
  return *v;
}

std::string Row::take_text(size_t i) {
  auto& v = values_.at(i);
  if (!v) throw null_column(i);
  return std::exchange(*v, std::string());
}

int64_t Row::int64(size_t i) const {
  const auto& t = text(i);
  const auto value = core::parse_whole_integer<int64_t>(t);
  if (!value) throw ColumnError("column " + std::to_string(i) + " is not an integer: '" + t + "'");
  return *value;
}

double Row::real(size_t i) const {
  const auto& t = text(i);
  try {
    size_t used = 0;
    const double value = std::stod(t, &used);
    if (used == t.size()) return value;
  } catch (const std::exception&) {
  }
  throw ColumnError("column " + std::to_string(i) + " is not a number: '" + t + "'");
}

bool Row::boolean(size_t i) const {
  const auto& t = text(i);
  if (t == "t" || t == "true" || t == "1") return true;
  if (t == "f" || t == "false" || t == "0") return false;
  throw ColumnError("column " + std::to_string(i) + " is not a boolean: '" + t + "'");
}

size_t QueryResult::column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw ColumnError("no column named '" + std::string(name) + "'");
}

}  // namespace netra::db
