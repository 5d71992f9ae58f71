// UserStore and RefreshTokenStore: the accounts and refresh tokens in the database. Refresh
// tokens are stored only as hashes. A rotation (use a token, store its child) and a revocation of
// its family are each one transaction that locks the family's row first, so two uses of one token
// cannot both succeed and no child outlives a revocation that raced with its rotation.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::auth {

namespace asio = boost::asio;

struct User {
  std::string id;
  std::string email;
  std::string password_hash;
  int64_t created_at = 0;  // Unix ms
};

class UserStore {
 public:
  explicit UserStore(db::Database& db) : db_(db) {}

  // A taken email is DbErrorCode::constraint.
  asio::awaitable<db::DbResult<User>> create(std::string email, std::string password_hash,
                                             core::Deadline deadline);
  asio::awaitable<db::DbResult<std::optional<User>>> find_by_email(std::string email,
                                                                   core::Deadline deadline);
  asio::awaitable<db::DbResult<std::optional<User>>> find_by_id(std::string id,
                                                                core::Deadline deadline);

 private:
  db::Database& db_;
};

struct RefreshTokenRecord {
  std::string id;  // the token's jti
  std::string user_id;
  std::string family_id;  // shared by every token descended from one login
  std::optional<std::string> parent_id;
  std::string token_hash;  // SHA-256 of the token, never the token
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
  std::optional<int64_t> revoked_at;
};

// What a rotation did.
enum class RefreshOutcome {
  rotated,  // the token was live: it is used now, and its child stored
  reused,   // the token had been used before: its whole family is revoked now
  revoked,  // the family was revoked already (a logout, or an earlier reuse)
};

class RefreshTokenStore {
 public:
  explicit RefreshTokenStore(db::Database& db) : db_(db) {}

  // A new login: its family and its first token, together.
  asio::awaitable<db::DbResult<db::Done>> start_family(RefreshTokenRecord first,
                                                       core::Deadline deadline);
  asio::awaitable<db::DbResult<std::optional<RefreshTokenRecord>>> find_by_hash(
      std::string token_hash, core::Deadline deadline);
  // Uses token `used_id` of `child.family_id` and stores `child` in its place, in one transaction
  // that holds the family's row: see RefreshOutcome for the outcomes. Nothing is stored unless
  // rotated.
  asio::awaitable<db::DbResult<RefreshOutcome>> rotate(std::string used_id,
                                                       RefreshTokenRecord child, int64_t now,
                                                       core::Deadline deadline);
  // Revokes the family and every token of it; returns how many tokens were still live.
  asio::awaitable<db::DbResult<int64_t>> revoke_family(std::string family_id, int64_t now,
                                                       core::Deadline deadline);
  // Deletes up to `limit` tokens that expired before `before` (Unix ms): they can only be
  // refused, found or not. Returns how many went.
  asio::awaitable<db::DbResult<int64_t>> purge_expired(int64_t before, int64_t limit,
                                                       core::Deadline deadline);

 private:
  db::Database& db_;
};

}  // namespace netra::auth
