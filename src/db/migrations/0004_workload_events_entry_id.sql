-- Each row of workload_events gets an id of its own (entry_id), so that the rows buffered while
-- ClickHouse was down can be moved there and then deleted exactly (analytics::OutageReplay):
-- event_id may repeat, and neither SQLite's rowid nor PostgreSQL's ctid is stable. The table is
-- rebuilt because there is no portable way to add a unique column to existing rows; the rows
-- already there are numbered in time order. New rows get an id made by the store.
CREATE TABLE workload_events_0004 (
  entry_id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  workload_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  status TEXT NOT NULL,
  error_type TEXT NOT NULL,
  prompt_hash TEXT NOT NULL,
  cached INTEGER NOT NULL,
  tags TEXT NOT NULL
);
INSERT INTO workload_events_0004 (entry_id, user_id, event_id, timestamp_ms, workload_id,
  provider, model, input_tokens, output_tokens, latency_ms, cost_usd, status, error_type,
  prompt_hash, cached, tags)
SELECT 'wev_0004_' || CAST(ROW_NUMBER() OVER (ORDER BY timestamp_ms, user_id, event_id) AS TEXT),
  user_id, event_id, timestamp_ms, workload_id, provider, model, input_tokens, output_tokens,
  latency_ms, cost_usd, status, error_type, prompt_hash, cached, tags
FROM workload_events;
DROP TABLE workload_events;
ALTER TABLE workload_events_0004 RENAME TO workload_events;
-- Every read is one user's time range.
CREATE INDEX workload_events_by_user_time ON workload_events (user_id, timestamp_ms);
-- The replay reads the oldest rows of all users.
CREATE INDEX workload_events_by_time ON workload_events (timestamp_ms);
