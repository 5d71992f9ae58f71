// ApiKeyStore: the users' API keys in the database (migration 0008) — long-lived credentials an
// application sends as `Authorization: Bearer nk_…` where a 15-minute access token cannot serve.
// A key is `nk_` and 43 base64url characters of 256 random bits; only its hash is stored, and
// the key itself is returned once, when it is made. Every call acts for an owner: another user's
// key is never listed, found or deleted.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::auth {

namespace asio = boost::asio;

// What a key may do. `ingest`: POST /api/workloads/events; `read`: the GET routes of threads,
// runs, workloads and jobs; `agent`: conversations (threads, messages, runs).
inline constexpr std::string_view kApiKeyScopes[] = {"ingest", "read", "agent"};
bool is_api_key_scope(std::string_view scope);

// Whether a bearer token is meant as an API key (by its prefix), not an access token.
bool looks_like_api_key(std::string_view token);

struct ApiKey {
  std::string id;  // key_…: how its owner names it (DELETE /api/keys/{id})
  std::string user_id;
  std::string name;
  std::string prefix;               // nk_ and the first 8 characters of the secret
  std::vector<std::string> scopes;  // in kApiKeyScopes order
  int64_t created_at = 0;           // Unix ms
  std::optional<int64_t> last_used_at;

  bool allows(std::string_view scope) const;
};

class ApiKeyStore {
 public:
  using UnixClock = int64_t (*)();  // Unix ms
  explicit ApiKeyStore(db::Database& db, UnixClock clock = nullptr);

  struct Created {
    ApiKey key;
    std::string secret;  // the whole key, nk_…: shown to its owner once, never stored
  };
  // A new key for `user_id`, unless they hold `max_per_user` already (then nothing). `scopes` must
  // be valid (is_api_key_scope) and not empty; they are stored deduplicated, in canonical order.
  asio::awaitable<db::DbResult<std::optional<Created>>> create(std::string user_id,
                                                               std::string name,
                                                               std::vector<std::string> scopes,
                                                               int64_t max_per_user,
                                                               core::Deadline deadline);
  // The owner's keys, newest first.
  asio::awaitable<db::DbResult<std::vector<ApiKey>>> list(std::string user_id,
                                                          core::Deadline deadline);
  // Deletes the owner's key; false when they have none by that id. From then on the key finds
  // nothing, on every instance that shares the database.
  asio::awaitable<db::DbResult<bool>> remove(std::string user_id, std::string id,
                                             core::Deadline deadline);
  // The key whose token_hash() is `key_hash`; nothing for an unknown or deleted one.
  asio::awaitable<db::DbResult<std::optional<ApiKey>>> find_by_hash(std::string key_hash,
                                                                    core::Deadline deadline);
  // Records that the key was used at `unix_ms`.
  asio::awaitable<db::DbResult<db::Done>> touch(std::string id, int64_t unix_ms,
                                                core::Deadline deadline);

 private:
  db::Database& db_;
  UnixClock clock_;
};

}  // namespace netra::auth
