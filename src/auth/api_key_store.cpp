#include "auth/api_key_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "auth/base64url.hpp"
#include "auth/token_hash.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"

namespace netra::auth {
namespace {

constexpr std::string_view kKeyPrefix = "nk_";
constexpr size_t kSecretBytes = 32;  // 256 bits: 43 base64url characters
constexpr size_t kShownCharacters = 8;

const std::string kColumns =
    "SELECT id, user_id, name, prefix, scopes, created_at, last_used_at FROM api_keys ";

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
  return joined;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> scopes;
  for (const auto scope : kApiKeyScopes) {
    for (size_t at = 0; at < text.size();) {
      const size_t end = std::min(text.find(' ', at), text.size());
      if (text.substr(at, end - at) == scope) scopes.emplace_back(scope);
      at = end + 1;
    }
  }
  return scopes;
}

std::vector<std::string> canonical(const std::vector<std::string>& scopes) {
  std::vector<std::string> ordered;
  for (const auto scope : kApiKeyScopes) {
    if (std::find(scopes.begin(), scopes.end(), scope) != scopes.end()) ordered.emplace_back(scope);
  }
  return ordered;
}

ApiKey key_from(const db::QueryResult& r, size_t row) {
  const auto& x = r.rows[row];
  const size_t used = r.column("last_used_at");
  return ApiKey{x.text(r.column("id")),
                x.text(r.column("user_id")),
                x.text(r.column("name")),
                x.text(r.column("prefix")),
                split_scopes(x.text(r.column("scopes"))),
                x.int64(r.column("created_at")),
                x.is_null(used) ? std::nullopt : std::optional<int64_t>(x.int64(used))};
}

std::string new_secret() {
  unsigned char bytes[kSecretBytes];
  core::fill_random(bytes, sizeof bytes);  // the kernel's CSPRNG; throws if it fails
  return std::string(kKeyPrefix) +
         base64url_encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

}  // namespace

bool is_api_key_scope(std::string_view scope) {
  return std::find(std::begin(kApiKeyScopes), std::end(kApiKeyScopes), scope) !=
         std::end(kApiKeyScopes);
}

bool looks_like_api_key(std::string_view token) {
  return token.substr(0, kKeyPrefix.size()) == kKeyPrefix;
}

bool ApiKey::allows(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

ApiKeyStore::ApiKeyStore(db::Database& db, UnixClock clock)
    : db_(db), clock_(clock ? clock : &core::unix_ms_now) {}

asio::awaitable<db::DbResult<std::optional<ApiKeyStore::Created>>> ApiKeyStore::create(
    std::string user_id, std::string name, std::vector<std::string> scopes, int64_t max_per_user,
    core::Deadline deadline) {
  Created made;
  made.secret = new_secret();
  made.key =
      ApiKey{core::make_id("key"), std::move(user_id),
             std::move(name),      made.secret.substr(0, kKeyPrefix.size() + kShownCharacters),
             canonical(scopes),    clock_(),
             std::nullopt};
  // Counted and inserted in one transaction: on SQLite the one writer serialises them; on
  // PostgreSQL two creations racing for the last place may both pass, one key over the limit.
  auto tx = co_await db_.begin(deadline, "api_keys.create");
  if (!tx) co_return tx.error();
  db::Params owner{made.key.user_id};
  auto held =
      co_await tx->query("SELECT COUNT(*) FROM api_keys WHERE user_id = $1", std::move(owner));
  if (!held) co_return held.error();
  if (held->rows.at(0).int64(0) >= max_per_user) co_return std::nullopt;
  const auto& k = made.key;
  db::Params values{
      k.id,        k.user_id, k.name, k.prefix, token_hash(made.secret), join_scopes(k.scopes),
      k.created_at};
  auto inserted = co_await tx->query_then_commit(
      "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      std::move(values));
  if (!inserted) co_return inserted.error();
  co_return std::optional<Created>(std::move(made));
}

asio::awaitable<db::DbResult<std::vector<ApiKey>>> ApiKeyStore::list(std::string user_id,
                                                                     core::Deadline deadline) {
  db::Params owner{std::move(user_id)};
  auto found = co_await db_.query(kColumns + "WHERE user_id = $1 ORDER BY created_at DESC, id",
                                  std::move(owner), deadline, "api_keys.list");
  if (!found) co_return found.error();
  std::vector<ApiKey> keys;
  for (size_t i = 0; i < found->rows.size(); ++i) keys.push_back(key_from(*found, i));
  co_return keys;
}

asio::awaitable<db::DbResult<bool>> ApiKeyStore::remove(std::string user_id, std::string id,
                                                        core::Deadline deadline) {
  db::Params values{std::move(id), std::move(user_id)};
  auto removed = co_await db_.query("DELETE FROM api_keys WHERE id = $1 AND user_id = $2",
                                    std::move(values), deadline, "api_keys.remove");
  if (!removed) co_return removed.error();
  co_return removed->affected_rows > 0;
}

asio::awaitable<db::DbResult<std::optional<ApiKey>>> ApiKeyStore::find_by_hash(
    std::string key_hash, core::Deadline deadline) {
  db::Params hash{std::move(key_hash)};
  auto found = co_await db_.query(kColumns + "WHERE key_hash = $1", std::move(hash), deadline,
                                  "api_keys.find");
  if (!found) co_return found.error();
  if (found->rows.empty()) co_return std::optional<ApiKey>();
  co_return std::optional<ApiKey>(key_from(*found, 0));
}

asio::awaitable<db::DbResult<db::Done>> ApiKeyStore::touch(std::string id, int64_t unix_ms,
                                                           core::Deadline deadline) {
  db::Params values{unix_ms, std::move(id)};
  auto touched = co_await db_.query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2",
                                    std::move(values), deadline, "api_keys.touch");
  if (!touched) co_return touched.error();
  co_return db::Done{};
}

}  // namespace netra::auth
