-- A thread's row counts its messages. Listing threads counted them with one step down the
-- messages index per thread (20 on every page of GET /api/threads), a fifth of what PostgreSQL
-- spent on that page. Messages are numbered 1..N and never deleted, so the count is the newest
-- message's ordinal: the statement that adds a message raises it while it holds the thread's row,
-- and the message takes the new count as its ordinal. Portable SQL, like 0001.
ALTER TABLE threads ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
UPDATE threads SET message_count = (
  SELECT COALESCE(MAX(m.ordinal), 0) FROM messages m WHERE m.thread_id = threads.id);
