-- API keys (auth::ApiKeyStore): long-lived credentials an application sends as
-- `Authorization: Bearer nk_…` instead of a 15-minute access token. Only a hash of the key is kept
-- (SHA-256, base64url: the key is 256 random bits, so a slow password hash would add nothing);
-- `prefix` (nk_ and the first characters) is what the owner sees to tell keys apart. `scopes` is
-- space-separated (ingest, read, agent). A deleted key's row is gone: the next request with it
-- finds nothing, on every instance. Portable SQL, like 0001.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);
