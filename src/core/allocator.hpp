// allocator: what the process asks of its memory allocator, when that allocator is jemalloc (the
// release server). Both calls do nothing under any other allocator (sanitizer builds, tests).
#pragma once

namespace netra::core {

// Returns the memory start-up freed (configuration, migrations, key loading) to the system at
// once instead of after jemalloc's decay time. Called once, when start-up has finished.
void return_freed_memory();

// Gives the calling thread's allocation cache back to the allocator, and what is then free back
// to the system. For a pool thread that has gone idle: an event loop keeps its cache.
void release_thread_cache();

}  // namespace netra::core
