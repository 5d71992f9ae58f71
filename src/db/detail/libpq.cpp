#include "db/detail/libpq.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace netra::db::detail {

namespace {

struct Loaded {
  Libpq functions;
  std::string error;  // empty once loaded
};

Loaded load() {
  Loaded out;
  // Kept open for the life of the process: connections may be closed as it exits.
  void* library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    out.error = std::string("PostgreSQL needs libpq (libpq.so.5, Debian package libpq5): ") +
                (why != nullptr ? why : "not found");
    return out;
  }
#define NETRA_LIBPQ_RESOLVE(name)                                                          \
  out.functions.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name));         \
  if (out.functions.name == nullptr) {                                                     \
    out.error = "libpq.so.5 has no " #name "; PostgreSQL support needs libpq 10 or later"; \
    return out;                                                                            \
  }
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
