// The database side of OpenID Connect sign-in: the sign-ins waiting for their callback
// (PendingLoginStore, each taken once) and which account a provider's subject signs into
// (IdentityStore). Tables in db/migrations/0010_oidc_sign_in.sql.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::auth {

namespace asio = boost::asio;

// What the callback needs of the sign-in it completes. Kept in the database, not in this
// process, so the callback may reach any instance behind the load balancer.
struct PendingLogin {
  std::string state;  // stored as its hash only
  std::string provider;
  std::string nonce;
  std::string code_verifier;  // PKCE
  std::string return_to;      // where the browser goes after; empty: the tokens as JSON
  int64_t expires_at = 0;     // Unix ms
};

class PendingLoginStore {
 public:
  explicit PendingLoginStore(db::Database& db) : db_(db) {}

  // Stores `login`, and deletes up to 100 expired ones on the way (no sweeper needed).
  asio::awaitable<db::DbResult<db::Done>> put(PendingLogin login, int64_t now,
                                              core::Deadline deadline);
  // The login of `state`, deleted in the same statement, so a state is used at most once even
  // when two callbacks race; nothing when there is none or it expired.
  asio::awaitable<db::DbResult<std::optional<PendingLogin>>> take(std::string state, int64_t now,
                                                                  core::Deadline deadline);

 private:
  db::Database& db_;
};

class IdentityStore {
 public:
  explicit IdentityStore(db::Database& db) : db_(db) {}

  // The account `subject` of `provider` signs into, if it has one.
  asio::awaitable<db::DbResult<std::optional<std::string>>> user_of(std::string provider,
                                                                    std::string subject,
                                                                    core::Deadline deadline);
  // A taken (provider, subject) is DbErrorCode::constraint: another sign-in linked it first.
  asio::awaitable<db::DbResult<db::Done>> link(std::string provider, std::string subject,
                                               std::string user_id, std::string email, int64_t now,
                                               core::Deadline deadline);

 private:
  db::Database& db_;
};

}  // namespace netra::auth
