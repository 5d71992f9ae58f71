// UserStore and RefreshTokenStore: the accounts and refresh tokens in the database. Refresh
// tokens are stored only as hashes; marking one used is a single conditional update, so two
// concurrent uses of one token cannot both succeed (reuse is detected).
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

class RefreshTokenStore {
 public:
  explicit RefreshTokenStore(db::Database& db) : db_(db) {}

  asio::awaitable<db::DbResult<db::Done>> insert(RefreshTokenRecord record,
                                                 core::Deadline deadline);
  asio::awaitable<db::DbResult<std::optional<RefreshTokenRecord>>> find_by_hash(
      std::string token_hash, core::Deadline deadline);
  // True if this call marked it used; false if it was already used or revoked.
  asio::awaitable<db::DbResult<bool>> mark_used(std::string id, int64_t now,
                                                core::Deadline deadline);
  // Revokes every token of the family; returns how many were still live.
  asio::awaitable<db::DbResult<int64_t>> revoke_family(std::string family_id, int64_t now,
                                                       core::Deadline deadline);

 private:
  db::Database& db_;
};

}  // namespace netra::auth
