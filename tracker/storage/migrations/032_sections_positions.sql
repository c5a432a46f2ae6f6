-- The questions or articles being consulted, and one position per (section, organisation).
CREATE SEQUENCE consultation_sections_id_seq;
CREATE TABLE consultation_sections (
    id          BIGINT PRIMARY KEY DEFAULT nextval('consultation_sections_id_seq'),
    item_id     VARCHAR NOT NULL,
    ordinal     INTEGER NOT NULL,
    label       VARCHAR,          -- "Frage 3", "§ 5 Abs. 2", ...
    title       VARCHAR NOT NULL,
    body        VARCHAR,
    removed     BOOLEAN NOT NULL DEFAULT FALSE  -- kept so old positions stay traceable
);

CREATE TABLE positions (
    section_id       BIGINT NOT NULL,
    organisation_id  VARCHAR NOT NULL,
    item_id          VARCHAR NOT NULL,
    stance           VARCHAR NOT NULL,  -- zustimmung, aenderungen, ablehnung, keine
    reason           VARCHAR,
    proposed_wording VARCHAR,
    updated_by       VARCHAR NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (section_id, organisation_id)
);

-- Every change of a position, so a member's earlier view is never silently lost.
CREATE SEQUENCE position_events_id_seq;
CREATE TABLE position_events (
    id               BIGINT PRIMARY KEY DEFAULT nextval('position_events_id_seq'),
    section_id       BIGINT NOT NULL,
    organisation_id  VARCHAR NOT NULL,
    item_id          VARCHAR NOT NULL,
    stance           VARCHAR NOT NULL,
    reason           VARCHAR,
    proposed_wording VARCHAR,
    actor            VARCHAR NOT NULL,
    occurred_at      TIMESTAMPTZ NOT NULL
);
