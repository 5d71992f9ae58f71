-- Durable jobs (tasks::JobStore, the background_tasks component): work any instance may claim.
-- A worker claims a queued job whose run_at has come (or a running one whose lease expired: its
-- instance died) by setting its lease; it renews the lease while it works and ends the job with
-- its result or error. Portable SQL, like 0001; the claim adds FOR UPDATE SKIP LOCKED on
-- PostgreSQL. Times are Unix ms; payload and result are JSON text.
-- 0001 made a first `jobs` table that nothing ever wrote: it is replaced.
DROP TABLE jobs;
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  max_attempts BIGINT NOT NULL,
  run_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  progress DOUBLE PRECISION NOT NULL,
  message TEXT,
  result TEXT,
  error TEXT,
  idempotency_key TEXT,
  cancel_requested BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
-- One job per user, kind and key: a retried POST finds the job it made.
CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (user_id, kind, idempotency_key);
-- The claim's scan: ready work in run_at order, and leases to take over.
CREATE INDEX jobs_by_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_by_user ON jobs (user_id, created_at);
-- Recurring work (retention, clean-up): each schedule's next run is claimed by one instance of
-- the cluster per period, by a conditional update of next_run_at.
CREATE TABLE job_schedules (
  name TEXT PRIMARY KEY,
  every_ms BIGINT NOT NULL,
  next_run_at BIGINT NOT NULL,
  last_run_at BIGINT,
  last_owner TEXT
);
