#include "core/allocator.hpp"

#include <cstddef>

// jemalloc's control interface, referenced weakly: it resolves to null when the process does not
// link jemalloc, and both calls then do nothing.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace netra::core {

void return_freed_memory() {
  // MALLCTL_ARENAS_ALL (4096): every arena.
  if (mallctl != nullptr) mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

void release_thread_cache() {
  if (mallctl == nullptr) return;
  mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
  return_freed_memory();
}

}  // namespace netra::core
