-- A collection run records which process runs it and how it ended, so that a run killed
-- half way (no end) is told from one still running, and closed as aborted by the next run.
ALTER TABLE collect_runs ADD COLUMN holder VARCHAR;
ALTER TABLE collect_runs ADD COLUMN outcome VARCHAR;
UPDATE collect_runs SET outcome = 'abgeschlossen' WHERE finished_at IS NOT NULL;
