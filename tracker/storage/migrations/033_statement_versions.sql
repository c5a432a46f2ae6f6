-- Every save of the joint statement is a new version; nothing is overwritten.
CREATE SEQUENCE statement_versions_id_seq;
CREATE TABLE statement_versions (
    id          BIGINT PRIMARY KEY DEFAULT nextval('statement_versions_id_seq'),
    item_id     VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    body_md     VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,   -- 'zusammengestellt' (assembled) or 'bearbeitet' (edited)
    note        VARCHAR,
    author      VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (item_id, version)
);
