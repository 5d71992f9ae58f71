-- The embedded analytics store (analytics::EmbeddedAnalyticsStore): a user's workload events,
-- when ClickHouse is not configured or is down. Portable SQL, like 0001. No key on event_id:
-- ClickHouse does not deduplicate either, and both backends must answer alike.
CREATE TABLE workload_events (
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
-- Every read is one user's time range.
CREATE INDEX workload_events_by_user_time ON workload_events (user_id, timestamp_ms);
