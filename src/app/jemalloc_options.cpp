// jemalloc's options, built into the netra binary when it allocates through jemalloc (not in
// sanitizer builds). jemalloc reads `malloc_conf` at its first allocation; MALLOC_CONF in the
// environment is read after it and still overrides any option.
//
// An arena per CPU instead of jemalloc's four per CPU, and thread caches only for blocks up to
// 4 KiB (the default caches up to 32 KiB on every thread, and netra has about twenty): 1.9 MiB
// less resident memory after start-up on 2 cores, with the same /health/live and GET
// /api/threads throughput within noise (bench/memory.sh, http_throughput.sh, chat_threads.sh).
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "percpu_arena:percpu,tcache_max:4096";
}
