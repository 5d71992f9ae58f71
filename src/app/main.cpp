// netra: the backend of the Netra AI-spend optimization platform.
#include <csignal>

#include "app/cli.hpp"

int main(int argc, char** argv) {
  // A write to a socket its peer has closed must be an error the writer handles, not a signal that
  // ends the process: hiredis 0.14 writes to Redis with write(2), so a Redis restarted mid-write
  // killed the whole server (SIGPIPE, seen in cluster_e2e.RedisOutage). Asio and libpq already
  // send with MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  return netra::app::run_cli(argc, argv, netra::app::production_service());
}
