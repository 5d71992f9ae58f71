-- What the chat stores need beyond the initial schema. Portable SQL, like 0001.

-- Messages keep the order they were added in, also when several share a millisecond: an ordinal
-- per thread, taken while the thread's row is locked by the transaction that adds the message.
-- Rows that exist already are numbered by (created_at, id).
ALTER TABLE messages ADD COLUMN ordinal BIGINT NOT NULL DEFAULT 0;
UPDATE messages SET ordinal = (
  SELECT COUNT(*) FROM messages earlier
  WHERE earlier.thread_id = messages.thread_id
    AND (earlier.created_at < messages.created_at
         OR (earlier.created_at = messages.created_at AND earlier.id <= messages.id)));
CREATE UNIQUE INDEX messages_by_thread_ordinal ON messages (thread_id, ordinal);
-- Messages are read by ordinal now; the index by time serves no query.
DROP INDEX messages_by_thread;

-- At start-up every queued or running run becomes interrupted: find them without a scan.
CREATE INDEX runs_by_status ON runs (status);
