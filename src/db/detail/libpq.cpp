#include "db/detail/libpq.hpp"

#include <cstdlib>

#include "core/shared_library.hpp"

namespace netra::db::detail {

namespace {

const core::OnDemandLibrary<Libpq>& loaded() {
  static const auto once = core::open_on_demand<Libpq>(
      "libpq.so.5", "libpq5", "PostgreSQL support needs libpq 10 or later");
  return once;
}

}  // namespace

const Libpq* load_libpq(std::string& error) {
  const auto& l = loaded();
  if (!l.error.empty()) {
    error = "PostgreSQL needs libpq: " + l.error;
    return nullptr;
  }
  return &l.functions;
}

const Libpq& pq() {
  const auto& l = loaded();
  if (!l.error.empty()) std::abort();  // a call without a successful load_libpq: a bug
  return l.functions;
}

}  // namespace netra::db::detail
