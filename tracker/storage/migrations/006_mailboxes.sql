-- Mailbox sources (kind = "imap"): where each stands in its folder. UIDs are only
-- meaningful under one UIDVALIDITY, so both are kept; a changed UIDVALIDITY means the
-- folder is read again from the start (the Message-ID keeps each mail one item).
ALTER TABLE sources ADD COLUMN mail_uidvalidity BIGINT;
ALTER TABLE sources ADD COLUMN mail_last_uid BIGINT;

-- Dated hearings (Anhörungstermine) from calendar invitations in mails, one row per
-- event UID. An update (higher SEQUENCE, or the same with a later DTSTAMP) replaces the
-- row's date and place; a cancellation (METHOD:CANCEL or STATUS:CANCELLED) keeps the row
-- with the status "abgesagt". item_id is the item the invitation first came with,
-- last_item_id the one of the latest update.
CREATE TABLE item_hearings (
    uid           VARCHAR PRIMARY KEY,
    item_id       VARCHAR NOT NULL,
    last_item_id  VARCHAR NOT NULL,
    source_id     VARCHAR,
    sequence      INTEGER NOT NULL DEFAULT 0,
    stamped_at    TIMESTAMPTZ,
    status        VARCHAR NOT NULL,
    summary       VARCHAR,
    location      VARCHAR,
    organizer     VARCHAR,
    starts_at     TIMESTAMPTZ,
    ends_at       TIMESTAMPTZ,
    all_day       BOOLEAN NOT NULL DEFAULT FALSE,
    start_day     DATE,
    time_zone     VARCHAR,
    first_seen_at TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX item_hearings_item ON item_hearings (item_id);
