// Libraries opened with dlopen when a feature first needs them instead of linked into the binary:
// a configuration that never uses the feature never pays for their mapping, relocations and
// constructors at exec, nor for their pages afterwards (libpq for PostgreSQL, OpenSSL's libssl
// for https:// peers). The callers keep a table of the functions they call, resolved here.
#pragma once

#include <string>

namespace netra::core {

// dlopen(soname, RTLD_NOW | RTLD_LOCAL), kept open for the life of the process (objects it made
// may be freed as the process exits). nullptr with `error` naming the library, the Debian
// package that holds it and the loader's reason.
void* open_shared_library(const char* soname, const char* package, std::string& error);

// The address of function `name` in `library` (or a library it depends on), or nullptr with
// `error` naming what is missing; `needs` says which version would have it ("libpq 10 or later").
void* shared_library_function(void* library, const char* soname, const char* name,
                              const char* needs, std::string& error);

}  // namespace netra::core
