-- When, where and what was sent: the file's hash ties the record to the exact bytes.
CREATE SEQUENCE statement_submissions_id_seq;
CREATE TABLE statement_submissions (
    id            BIGINT PRIMARY KEY DEFAULT nextval('statement_submissions_id_seq'),
    item_id       VARCHAR NOT NULL,
    version_id    BIGINT NOT NULL,
    version       INTEGER NOT NULL,
    submitted_on  DATE NOT NULL,
    channel       VARCHAR NOT NULL,   -- E-Mail, Beteiligungsportal, Post, ...
    recipient     VARCHAR,
    file_name     VARCHAR,
    file_format   VARCHAR,
    file_sha256   VARCHAR,
    note          VARCHAR,
    recorded_by   VARCHAR NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL
);
