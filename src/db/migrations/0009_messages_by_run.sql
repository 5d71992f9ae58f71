-- A run's report is the assistant message it stored (chat/report_store): found by its run.
CREATE INDEX messages_by_run ON messages (run_id);
