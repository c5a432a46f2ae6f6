-- A submission record can be corrected or withdrawn, each with a reason, and nothing is
-- lost: the record keeps who withdrew it and why, and every step (recorded, corrected,
-- withdrawn) is a row in submission_events with the fields it changed.
ALTER TABLE statement_submissions ADD COLUMN withdrawn_at TIMESTAMPTZ;
ALTER TABLE statement_submissions ADD COLUMN withdrawn_by VARCHAR;
ALTER TABLE statement_submissions ADD COLUMN withdraw_reason VARCHAR;

CREATE SEQUENCE submission_events_id_seq;
CREATE TABLE submission_events (
    id            BIGINT PRIMARY KEY DEFAULT nextval('submission_events_id_seq'),
    submission_id BIGINT NOT NULL,
    item_id       VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,   -- SubmissionAction in tracker/vocabulary.py
    changes       JSON,               -- {"field": [old, new]} for a correction
    reason        VARCHAR,
    actor         VARCHAR NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL
);
