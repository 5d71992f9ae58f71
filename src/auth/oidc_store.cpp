#include "auth/oidc_store.hpp"

#include "auth/token_hash.hpp"

namespace netra::auth {

asio::awaitable<db::DbResult<db::Done>> PendingLoginStore::put(PendingLogin login, int64_t now,
                                                               core::Deadline deadline) {
  db::Params expired{now};
  auto swept = co_await db_.query(
      "DELETE FROM oidc_logins WHERE state_hash IN (SELECT state_hash FROM oidc_logins WHERE "
      "expires_at < $1 LIMIT 100)",
      std::move(expired), deadline, "oidc_logins.sweep");
  if (!swept) co_return swept.error();
  db::Params values{token_hash(login.state), login.provider,  login.nonce,
                    login.code_verifier,     login.return_to, login.expires_at};
  auto stored = co_await db_.query(
      "INSERT INTO oidc_logins (state_hash, provider, nonce, code_verifier, return_to, "
      "expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
      std::move(values), deadline, "oidc_logins.put");
  if (!stored) co_return stored.error();
  co_return db::Done{};
}

asio::awaitable<db::DbResult<std::optional<PendingLogin>>> PendingLoginStore::take(
    std::string state, int64_t now, core::Deadline deadline) {
  db::Params key{token_hash(state)};
  auto taken = co_await db_.query(
      "DELETE FROM oidc_logins WHERE state_hash = $1 "
      "RETURNING provider, nonce, code_verifier, return_to, expires_at",
      std::move(key), deadline, "oidc_logins.take");
  if (!taken) co_return taken.error();
  if (taken->rows.empty()) co_return std::optional<PendingLogin>();
  const auto& row = taken->rows[0];
  PendingLogin login{std::move(state),
                     row.text(taken->column("provider")),
                     row.text(taken->column("nonce")),
                     row.text(taken->column("code_verifier")),
                     row.text(taken->column("return_to")),
                     row.int64(taken->column("expires_at"))};
  if (login.expires_at < now) co_return std::optional<PendingLogin>();
  co_return std::optional<PendingLogin>(std::move(login));
}

asio::awaitable<db::DbResult<std::optional<std::string>>> IdentityStore::user_of(
    std::string provider, std::string subject, core::Deadline deadline) {
  db::Params key{std::move(provider), std::move(subject)};
  auto found =
      co_await db_.query("SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2",
                         std::move(key), deadline, "user_identities.find");
  if (!found) co_return found.error();
  if (found->rows.empty()) co_return std::optional<std::string>();
  co_return std::optional<std::string>(found->rows[0].text(0));
}

asio::awaitable<db::DbResult<db::Done>> IdentityStore::link(std::string provider,
                                                            std::string subject,
                                                            std::string user_id, std::string email,
                                                            int64_t now, core::Deadline deadline) {
  db::Params values{std::move(provider), std::move(subject), std::move(user_id), std::move(email),
                    now};
  auto linked = co_await db_.query(
      "INSERT INTO user_identities (provider, subject, user_id, email, created_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      std::move(values), deadline, "user_identities.link");
  if (!linked) co_return linked.error();
  co_return db::Done{};
}

}  // namespace netra::auth
