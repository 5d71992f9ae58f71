#include "core/shared_library.hpp"

#include <dlfcn.h>

namespace netra::core {

void* open_shared_library(const char* soname, const char* package, std::string& error) {
  void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    error = std::string(soname) + " (Debian package " + package +
            ") cannot be loaded: " + (why != nullptr ? why : "not found");
  }
  return library;
}

void* shared_library_function(void* library, const char* soname, const char* name,
                              const char* needs, std::string& error) {
  void* function = dlsym(library, name);
  if (function == nullptr) error = std::string(soname) + " has no " + name + "; " + needs;
  return function;
}

}  // namespace netra::core
