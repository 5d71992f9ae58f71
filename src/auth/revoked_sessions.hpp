// RevokedSessions: the logins revoked (a logout, a refresh token used twice) until the last access
// token they issued has expired, so that those tokens stop working at once instead of at their
// expiry, and what they opened (sockets) can be told to close. Checked in process on every request;
// with Redis, SharedRevocations carries each instance's revocations to all the others.
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
  // issued); every listener hears of it, outside the lock, and so does the publisher.
  void revoke(const std::string& session_id, int64_t until);
  // A revocation made on another instance: the same, but not published again.
  void apply_shared(const std::string& session_id, int64_t until);
  // Who tells the other instances of a revocation made here (one; set before serving).
  using Publisher = std::function<void(const std::string& session_id, int64_t until)>;
  void publish_through(Publisher publisher);
  bool revoked(const std::string& session_id, int64_t now) const;
  // Listeners are added while the service is assembled, before anything is revoked.
  void listen(Listener listener);
  size_t size() const;

 private:
  void drop_expired(int64_t now);
  // Records it; false when it was already revoked until then or later (nothing new to tell).
  bool record(const std::string& session_id, int64_t until);
  void tell_listeners(const std::string& session_id);

  const size_t max_sessions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> until_;
  std::multimap<int64_t, std::string> by_expiry_;
  std::vector<Listener> listeners_;
  Publisher publisher_;
};

}  // namespace netra::auth
