-- What the last collection found at each source, beyond success or failure: where the
-- request ended up, what came back and what it held, and the one-line verdict an operator
-- reads on the Quellen page (the same as `tracker sources check` prints). resume_from is
-- the update time an incremental API (DIP) is read from next: the start of the last run that
-- read every page, less an overlap; after a run that did not read every page, the start of
-- that run's window, so the next run reads the same span again.

ALTER TABLE sources ADD COLUMN last_final_url VARCHAR;
ALTER TABLE sources ADD COLUMN last_content_type VARCHAR;
ALTER TABLE sources ADD COLUMN last_detected_kind VARCHAR;
ALTER TABLE sources ADD COLUMN last_newest_entry_at TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN last_deadlines INTEGER;
ALTER TABLE sources ADD COLUMN last_pages INTEGER;
ALTER TABLE sources ADD COLUMN last_verdict VARCHAR;
ALTER TABLE sources ADD COLUMN last_verdict_state VARCHAR;
ALTER TABLE sources ADD COLUMN resume_from TIMESTAMPTZ;
