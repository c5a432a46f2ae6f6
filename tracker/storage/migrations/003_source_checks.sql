-- What the last collection found at each source, beyond success or failure: where the
-- request ended up, what came back and what it held, and the one-line verdict an operator
-- reads on the Quellen page (the same as `tracker sources check` prints). complete_through
-- is when the last run that read every page of an incremental API started: the next run
-- asks for what changed since then.

ALTER TABLE sources ADD COLUMN last_final_url VARCHAR;
ALTER TABLE sources ADD COLUMN last_content_type VARCHAR;
ALTER TABLE sources ADD COLUMN last_detected_kind VARCHAR;
ALTER TABLE sources ADD COLUMN last_newest_entry_at TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN last_deadlines INTEGER;
ALTER TABLE sources ADD COLUMN last_pages INTEGER;
ALTER TABLE sources ADD COLUMN last_verdict VARCHAR;
ALTER TABLE sources ADD COLUMN last_verdict_state VARCHAR;
ALTER TABLE sources ADD COLUMN complete_through TIMESTAMPTZ;
