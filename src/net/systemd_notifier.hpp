// SystemdNotifier: tells systemd (or any supervisor listening on NOTIFY_SOCKET) that the service
// is READY, STOPPING, and still alive (WATCHDOG=1). Does nothing when the variables are absent.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace netra::net {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET (a path, or "@name" for the abstract namespace) and WATCHDOG_USEC.
  static SystemdNotifier from_environment();
  SystemdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog);

  bool enabled() const { return !socket_path_.empty(); }
  // Half of WATCHDOG_USEC, when systemd asked for keep-alive pings.
  std::optional<std::chrono::microseconds> watchdog_interval() const;

  // Sends one datagram without blocking; returns false (and does nothing) when disabled or when
  // the send fails — a missing supervisor never stops the service.
  bool notify(const std::string& state) const;

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace netra::net
