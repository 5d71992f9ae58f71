-- What the retention schedules look for (app/maintenance_jobs): jobs that ended, by when they
-- ended, and runs by when they finished (whose steps run_step_cleanup deletes). Without these,
-- each batch of a clean-up scans the whole table.
CREATE INDEX jobs_by_finished ON jobs (finished_at);
CREATE INDEX runs_by_finished ON runs (finished_at);
