-- OpenID Connect sign-in (auth::OidcSignIn). `user_identities`: which account a provider's
-- subject signs into; a subject keeps its account even when its email changes at the provider.
-- `oidc_logins`: a sign-in between the redirect to the provider and its callback, found by a hash
-- of its `state` and deleted when used (once), or when it expired. Its nonce and PKCE verifier
-- are single-use secrets that live ten minutes. Portable SQL, like 0001.
CREATE TABLE user_identities (
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_by_user ON user_identities (user_id);

CREATE TABLE oidc_logins (
  state_hash TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  return_to TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_by_expiry ON oidc_logins (expires_at);
