// Libraries opened with dlopen when a feature first needs them instead of linked into the binary:
// a configuration that never uses the feature never pays for their mapping, relocations and
// constructors at exec, nor for their pages afterwards (libpq for PostgreSQL, OpenSSL's libssl
// for https:// peers). The callers keep a table of the functions they call, resolved here.
#pragma once

#include <string>
#include <type_traits>

namespace netra::core {

// dlopen(soname, RTLD_NOW | RTLD_LOCAL), kept open for the life of the process (objects it made
// may be freed as the process exits). nullptr with `error` naming the library, the Debian
// package that holds it and the loader's reason.
void* open_shared_library(const char* soname, const char* package, std::string& error);

// The address of function `name` in `library` (or a library it depends on), or nullptr with
// `error` naming what is missing; `needs` says which version would have it ("libpq 10 or later").
void* shared_library_function(void* library, const char* soname, const char* name,
                              const char* needs, std::string& error);

// A library's function table, opened and resolved by open_on_demand: `functions` is usable when
// `error` is empty.
template <typename Table>
struct OnDemandLibrary {
  Table functions;
  std::string error;
};

// A function table's body from an X-macro list of function names (LIST(X) calls X(name) for
// each): a member per function, declared `decltype(&::name) name`, and `each(visit)` calling
// visit("name", name) for each, which open_on_demand uses.
#define NETRA_ON_DEMAND_FUNCTIONS(LIST) \
  LIST(NETRA_ON_DEMAND_MEMBER)          \
  template <typename Visit>             \
  void each(Visit visit) {              \
    LIST(NETRA_ON_DEMAND_VISIT)         \
  }
#define NETRA_ON_DEMAND_MEMBER(name) decltype(&::name) name = nullptr;
#define NETRA_ON_DEMAND_VISIT(name) visit(#name, name);

// Opens `soname` and resolves every function a table (NETRA_ON_DEMAND_FUNCTIONS) names. Stops at
// the first missing function, `error` saying which and what `needs` it. Callers keep the result in
// a function-local static: once per process.
template <typename Table>
OnDemandLibrary<Table> open_on_demand(const char* soname, const char* package, const char* needs) {
  OnDemandLibrary<Table> out;
  void* library = open_shared_library(soname, package, out.error);
  if (library == nullptr) return out;
  out.functions.each([&](const char* name, auto& function) {
    if (!out.error.empty()) return;
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(
        shared_library_function(library, soname, name, needs, out.error));
  });
  return out;
}

}  // namespace netra::core
