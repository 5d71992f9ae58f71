// RevokedSessions: the logins revoked on this instance (a logout, a refresh token used twice)
// until the last access token they issued has expired, so that those tokens stop working at once
// instead of at their expiry, and what they opened (sockets) can be told to close. In-process: it
// serves one instance; a shared store will carry it across instances.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace netra::auth {

class RevokedSessions {
 public:
  using Listener = std::function<void(const std::string& session_id)>;

  // `max_sessions`: beyond it the entry that expires soonest makes room (its tokens are the
  // closest to expiring by themselves).
  explicit RevokedSessions(size_t max_sessions = 100000) : max_sessions_(max_sessions) {}

  // Revoked until `until` (Unix seconds: the expiry of the last access token it may have
  // issued); every listener hears of it, outside the lock.
  void revoke(const std::string& session_id, int64_t until);
  bool revoked(const std::string& session_id, int64_t now) const;
  // Listeners are added while the service is assembled, before anything is revoked.
  void listen(Listener listener);
  size_t size() const;

 private:
  void drop_expired(int64_t now);

  const size_t max_sessions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> until_;
  std::multimap<int64_t, std::string> by_expiry_;
  std::vector<Listener> listeners_;
};

}  // namespace netra::auth
