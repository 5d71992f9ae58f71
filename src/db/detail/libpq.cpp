#include "db/detail/libpq.hpp"

#include <cstdlib>
#include <mutex>

#include "core/shared_library.hpp"

namespace netra::db::detail {

namespace {

struct Loaded {
  Libpq functions;
  std::string error;  // empty once loaded
};

Loaded load() {
  Loaded out;
  void* library = core::open_shared_library("libpq.so.5", "libpq5", out.error);
  if (library == nullptr) {
    out.error = "PostgreSQL needs libpq: " + out.error;
    return out;
  }
#define NETRA_LIBPQ_RESOLVE(name)                                                              \
  out.functions.name = reinterpret_cast<decltype(&::name)>(core::shared_library_function(      \
      library, "libpq.so.5", #name, "PostgreSQL support needs libpq 10 or later", out.error)); \
  if (out.functions.name == nullptr) return out;
  NETRA_LIBPQ_FUNCTIONS(NETRA_LIBPQ_RESOLVE)
#undef NETRA_LIBPQ_RESOLVE
  return out;
}

const Loaded& loaded() {
  static const Loaded once = load();  // thread-safe initialisation
  return once;
}

}  // namespace

const Libpq* load_libpq(std::string& error) {
  const auto& l = loaded();
  if (!l.error.empty()) {
    error = l.error;
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
