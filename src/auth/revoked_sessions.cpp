#include "auth/revoked_sessions.hpp"

#include "core/clock.hpp"

namespace netra::auth {

void RevokedSessions::drop_expired(int64_t now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    until_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

bool RevokedSessions::record(const std::string& session_id, int64_t until) {
  if (session_id.empty()) return false;
  std::lock_guard lock(mutex_);
  drop_expired(core::unix_seconds_now());
  if (auto it = until_.find(session_id); it != until_.end()) {
    // Revoked again (a logout after a reuse): the later expiry stands.
    if (it->second >= until) return false;
    for (auto e = by_expiry_.lower_bound(it->second); e != by_expiry_.end(); ++e) {
      if (e->second == session_id) {
        by_expiry_.erase(e);
        break;
      }
    }
    until_.erase(it);
  }
  if (until_.size() >= max_sessions_ && !by_expiry_.empty()) {
    until_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  until_.emplace(session_id, until);
  by_expiry_.emplace(until, session_id);
  return true;
}

void RevokedSessions::tell_listeners(const std::string& session_id) {
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mutex_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(session_id);
}

void RevokedSessions::revoke(const std::string& session_id, int64_t until) {
  if (!record(session_id, until)) return;
  tell_listeners(session_id);
  Publisher publisher;
  {
    std::lock_guard lock(mutex_);
    publisher = publisher_;
  }
  if (publisher) publisher(session_id, until);
}

void RevokedSessions::apply_shared(const std::string& session_id, int64_t until) {
  if (record(session_id, until)) tell_listeners(session_id);
}

void RevokedSessions::publish_through(Publisher publisher) {
  std::lock_guard lock(mutex_);
  publisher_ = std::move(publisher);
}

bool RevokedSessions::revoked(const std::string& session_id, int64_t now) const {
  if (session_id.empty()) return false;
  std::lock_guard lock(mutex_);
  auto it = until_.find(session_id);
  return it != until_.end() && it->second >= now;
}

void RevokedSessions::listen(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

size_t RevokedSessions::size() const {
  std::lock_guard lock(mutex_);
  return until_.size();
}

}  // namespace netra::auth
