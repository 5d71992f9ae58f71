#include "auth/user_store.hpp"

#include <chrono>

#include "core/clock.hpp"
#include "core/id.hpp"

namespace netra::auth {
namespace {

User user_from(const db::QueryResult& r, size_t row) {
  const auto& x = r.rows[row];
  return User{x.text(r.column("id")), x.text(r.column("email")), x.text(r.column("password_hash")),
              x.int64(r.column("created_at"))};
}

RefreshTokenRecord token_from(const db::QueryResult& r, size_t row) {
  const auto& x = r.rows[row];
  auto optional_int = [&](const char* name) -> std::optional<int64_t> {
    const size_t c = r.column(name);
    if (x.is_null(c)) return std::nullopt;
    return x.int64(c);
  };
  return RefreshTokenRecord{x.text(r.column("id")),          x.text(r.column("user_id")),
                            x.text(r.column("family_id")),   x.optional_text(r.column("parent_id")),
                            x.text(r.column("token_hash")),  x.int64(r.column("issued_at")),
                            x.int64(r.column("expires_at")), optional_int("used_at"),
                            optional_int("revoked_at")};
}

// Parameters are built outside the co_await expressions: g++ 12 cannot keep an
// initializer_list alive across one.
db::Params params(std::initializer_list<db::SqlParam> values) {
  return db::Params(values);
}
db::SqlParam optional_param(const std::optional<std::string>& v) {
  return v ? db::SqlParam(*v) : db::SqlParam(nullptr);
}
db::SqlParam optional_param(const std::optional<int64_t>& v) {
  return v ? db::SqlParam(*v) : db::SqlParam(nullptr);
}

const std::string kUserColumns = "SELECT id, email, password_hash, created_at FROM users ";
const std::string kTokenColumns =
    "SELECT id, user_id, family_id, parent_id, token_hash, issued_at, expires_at, used_at, "
    "revoked_at FROM refresh_tokens ";

}  // namespace

asio::awaitable<db::DbResult<User>> UserStore::create(std::string email, std::string password_hash,
                                                      core::Deadline deadline) {
  User user{core::make_id("usr"), std::move(email), std::move(password_hash), core::unix_ms_now()};
  auto values = params({user.id, user.email, user.password_hash, user.created_at, user.created_at});
  auto inserted = co_await db_.query(
      "INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ($1, $2, $3, "
      "$4, $5)",
      std::move(values), deadline, "users.create");
  if (!inserted) co_return inserted.error();
  co_return user;
}

asio::awaitable<db::DbResult<std::optional<User>>> UserStore::find_by_email(
    std::string email, core::Deadline deadline) {
  auto values = params({std::move(email)});
  auto found = co_await db_.query(kUserColumns + "WHERE email = $1", std::move(values), deadline,
                                  "users.find_by_email");
  if (!found) co_return found.error();
  if (found->empty()) co_return std::optional<User>();
  co_return std::optional<User>(user_from(*found, 0));
}

asio::awaitable<db::DbResult<std::optional<User>>> UserStore::find_by_id(std::string id,
                                                                         core::Deadline deadline) {
  auto values = params({std::move(id)});
  auto found = co_await db_.query(kUserColumns + "WHERE id = $1", std::move(values), deadline,
                                  "users.find_by_id");
  if (!found) co_return found.error();
  if (found->empty()) co_return std::optional<User>();
  co_return std::optional<User>(user_from(*found, 0));
}

asio::awaitable<db::DbResult<db::Done>> RefreshTokenStore::insert(RefreshTokenRecord r,
                                                                  core::Deadline deadline) {
  auto values =
      params({r.id, r.user_id, r.family_id, optional_param(r.parent_id), r.token_hash, r.issued_at,
              r.expires_at, optional_param(r.used_at), optional_param(r.revoked_at)});
  auto inserted = co_await db_.query(
      "INSERT INTO refresh_tokens (id, user_id, family_id, parent_id, token_hash, issued_at, "
      "expires_at, used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      std::move(values), deadline, "refresh_tokens.insert");
  if (!inserted) co_return inserted.error();
  co_return db::Done{};
}

asio::awaitable<db::DbResult<std::optional<RefreshTokenRecord>>> RefreshTokenStore::find_by_hash(
    std::string token_hash, core::Deadline deadline) {
  auto values = params({std::move(token_hash)});
  auto found = co_await db_.query(kTokenColumns + "WHERE token_hash = $1", std::move(values),
                                  deadline, "refresh_tokens.find_by_hash");
  if (!found) co_return found.error();
  if (found->empty()) co_return std::optional<RefreshTokenRecord>();
  co_return std::optional<RefreshTokenRecord>(token_from(*found, 0));
}

asio::awaitable<db::DbResult<bool>> RefreshTokenStore::mark_used(std::string id, int64_t now,
                                                                 core::Deadline deadline) {
  auto values = params({std::move(id), now});
  auto updated = co_await db_.query(
      "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS "
      "NULL",
      std::move(values), deadline, "refresh_tokens.mark_used");
  if (!updated) co_return updated.error();
  co_return updated->affected_rows == 1;
}

asio::awaitable<db::DbResult<int64_t>> RefreshTokenStore::revoke_family(std::string family_id,
                                                                        int64_t now,
                                                                        core::Deadline deadline) {
  auto values = params({std::move(family_id), now});
  auto updated = co_await db_.query(
      "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
      std::move(values), deadline, "refresh_tokens.revoke_family");
  if (!updated) co_return updated.error();
  co_return updated->affected_rows;
}

}  // namespace netra::auth
