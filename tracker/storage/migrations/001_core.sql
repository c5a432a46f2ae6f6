-- Sources, items, their provenance, change history, raw archive and collection runs.

CREATE TABLE sources (
    id                   VARCHAR PRIMARY KEY,
    name                 VARCHAR NOT NULL,
    url                  VARCHAR NOT NULL,
    kind                 VARCHAR NOT NULL,
    publisher            VARCHAR,
    jurisdiction         VARCHAR,
    language             VARCHAR,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    etag                 VARCHAR,
    last_modified        VARCHAR,
    last_attempt_at      TIMESTAMPTZ,
    last_success_at      TIMESTAMPTZ,
    last_status          INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           VARCHAR,
    last_warning         VARCHAR,
    last_item_count      INTEGER,
    last_duration_ms     INTEGER
);

CREATE TABLE items (
    id              VARCHAR PRIMARY KEY,
    guid            VARCHAR,
    link            VARCHAR,
    canonical_url   VARCHAR,
    title           VARCHAR NOT NULL,
    summary_html    VARCHAR,
    summary         VARCHAR,
    text            VARCHAR,
    published_at    TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ,
    language        VARCHAR,
    jurisdiction    VARCHAR,
    content_hash    VARCHAR NOT NULL,
    deadline        DATE,
    deadline_at     TIMESTAMPTZ,
    deadline_text   VARCHAR,
    deadline_origin VARCHAR,
    deadline_confidence DOUBLE,
    opening_date    DATE,
    stage           VARCHAR,
    extra           JSON,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    changed_at      TIMESTAMPTZ,
    is_changed      BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo         BOOLEAN NOT NULL DEFAULT FALSE
);

-- One row per (item, source): the same publication carried by two feeds is one item
-- with two provenance rows. content_hash is per source, so two feeds that word the same
-- item differently do not make it flip between versions on every run.
CREATE TABLE item_sources (
    item_id       VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    guid          VARCHAR,
    link          VARCHAR,
    content_hash  VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, source_id)
);

CREATE SEQUENCE item_history_id_seq;
CREATE TABLE item_history (
    id               BIGINT PRIMARY KEY DEFAULT nextval('item_history_id_seq'),
    item_id          VARCHAR NOT NULL,
    source_id        VARCHAR,
    recorded_at      TIMESTAMPTZ NOT NULL,
    changed_fields   VARCHAR[] NOT NULL,
    old_title        VARCHAR,
    new_title        VARCHAR,
    old_summary      VARCHAR,
    new_summary      VARCHAR,
    old_deadline     DATE,
    new_deadline     DATE,
    old_content_hash VARCHAR,
    new_content_hash VARCHAR
);

CREATE SEQUENCE raw_documents_id_seq;
CREATE TABLE raw_documents (
    id           BIGINT PRIMARY KEY DEFAULT nextval('raw_documents_id_seq'),
    source_id    VARCHAR NOT NULL,
    url          VARCHAR,
    fetched_at   TIMESTAMPTZ NOT NULL,
    http_status  INTEGER,
    content_type VARCHAR,
    sha256       VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    body_gzip    BLOB NOT NULL
);

CREATE SEQUENCE collect_runs_id_seq;
CREATE TABLE collect_runs (
    id              BIGINT PRIMARY KEY DEFAULT nextval('collect_runs_id_seq'),
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    sources_total   INTEGER,
    sources_failed  INTEGER,
    items_new       INTEGER,
    items_changed   INTEGER
);

CREATE TABLE app_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
