-- One row per login (a refresh-token family) with its revoked time. Rotating a token and revoking
-- its family both lock this row first, in one transaction each: a rotation that began before a
-- revocation finishes before the revocation reads the family's tokens (so its child is revoked
-- too), and one that comes after finds the family revoked and inserts nothing. Revoking the rows
-- that exist at one moment let a refresh in flight survive a logout.
CREATE TABLE refresh_families (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  rotated_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX refresh_families_by_user ON refresh_families (user_id);
-- The families that exist already; one that has any revoked token was revoked whole.
INSERT INTO refresh_families (id, user_id, created_at, revoked_at)
SELECT family_id, MIN(user_id), MIN(issued_at), MAX(revoked_at)
FROM refresh_tokens GROUP BY family_id;
