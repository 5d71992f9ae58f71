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

const std::string kInsertToken =
    "INSERT INTO refresh_tokens (id, user_id, family_id, parent_id, token_hash, issued_at, "
    "expires_at, used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

db::Params token_params(const RefreshTokenRecord& r) {
  return params({r.id, r.user_id, r.family_id, optional_param(r.parent_id), r.token_hash,
                 r.issued_at, r.expires_at, optional_param(r.used_at),
                 optional_param(r.revoked_at)});
}

// Marks the family revoked (taking its row first, as a rotation does), then every token of it
// that is still live, as read after that: a rotation that held the row has committed its child.
asio::awaitable<db::DbResult<int64_t>> revoke_within(db::Transaction& tx, std::string family_id,
                                                     int64_t now) {
  auto family = params({family_id, now});
  auto marked = co_await tx.query(
      "UPDATE refresh_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
      std::move(family));
  if (!marked) co_return marked.error();
  auto tokens = params({std::move(family_id), now});
  auto updated = co_await tx.query(
      "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
      std::move(tokens));
  if (!updated) co_return updated.error();
  co_return updated->affected_rows;
}

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

asio::awaitable<db::DbResult<db::Done>> RefreshTokenStore::start_family(RefreshTokenRecord first,
                                                                        core::Deadline deadline) {
  auto began = co_await db_.begin(deadline, "refresh_tokens.start_family");
  if (!began) co_return began.error();
  auto tx = std::move(began.value());
  auto family = params({first.family_id, first.user_id, first.issued_at});
  auto created = co_await tx.query(
      "INSERT INTO refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)",
      std::move(family));
  if (!created) co_return created.error();
  auto token = token_params(first);
  auto inserted = co_await tx.query_then_commit(kInsertToken, std::move(token));
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

asio::awaitable<db::DbResult<RefreshOutcome>> RefreshTokenStore::rotate(std::string used_id,
                                                                        RefreshTokenRecord child,
                                                                        int64_t now,
                                                                        core::Deadline deadline) {
  auto began = co_await db_.begin(deadline, "refresh_tokens.rotate");
  if (!began) co_return began.error();
  auto tx = std::move(began.value());
  // The family's row first: a revocation in progress holds it until it has revoked every token,
  // and one that starts now waits until this child is stored (and so revokes it too).
  auto family = params({child.family_id, now});
  auto live = co_await tx.query(
      "UPDATE refresh_families SET rotated_at = $2 WHERE id = $1 AND revoked_at IS NULL",
      std::move(family));
  if (!live) co_return live.error();
  if (live->affected_rows != 1) co_return RefreshOutcome::revoked;  // rolled back as tx ends
  auto use = params({std::move(used_id), now});
  auto used = co_await tx.query(
      "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS "
      "NULL",
      std::move(use));
  if (!used) co_return used.error();
  if (used->affected_rows != 1) {
    // Used before: someone else holds a copy. End every token of this login, here and now.
    auto revoked = co_await revoke_within(tx, child.family_id, now);
    if (!revoked) co_return revoked.error();
    auto committed = co_await tx.commit();
    if (!committed) co_return committed.error();
    co_return RefreshOutcome::reused;
  }
  auto token = token_params(child);
  auto inserted = co_await tx.query_then_commit(kInsertToken, std::move(token));
  if (!inserted) co_return inserted.error();
  co_return RefreshOutcome::rotated;
}

asio::awaitable<db::DbResult<int64_t>> RefreshTokenStore::revoke_family(std::string family_id,
                                                                        int64_t now,
                                                                        core::Deadline deadline) {
  auto began = co_await db_.begin(deadline, "refresh_tokens.revoke_family");
  if (!began) co_return began.error();
  auto tx = std::move(began.value());
  auto revoked = co_await revoke_within(tx, std::move(family_id), now);
  if (!revoked) co_return revoked.error();
  auto committed = co_await tx.commit();
  if (!committed) co_return committed.error();
  co_return revoked.value();
}

asio::awaitable<db::DbResult<int64_t>> RefreshTokenStore::purge_expired(int64_t before,
                                                                        int64_t limit,
                                                                        core::Deadline deadline) {
  db::Params values{before, limit};
  auto purged = co_await db_.query(
      "DELETE FROM refresh_tokens WHERE id IN "
      "(SELECT id FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
      std::move(values), deadline, "refresh_tokens.purge");
  if (!purged) co_return purged.error();
  co_return purged->affected_rows;
}

}  // namespace netra::auth
