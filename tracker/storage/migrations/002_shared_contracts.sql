-- Tables several concerns read: judgements (written by the judge), relevance labels
-- (written by the dashboard, read by training), organisations and users (auth,
-- positions, alerts), and triage state (dashboard, alerts, statements).

CREATE TABLE item_judgements (
    item_id            VARCHAR PRIMARY KEY,
    judged_at          TIMESTAMPTZ NOT NULL,
    model_version      VARCHAR NOT NULL,  -- 'rules' or 'rules+model:<version>'
    taxonomy_hash      VARCHAR,
    language           VARCHAR,           -- language the pipeline detected
    language_supported BOOLEAN NOT NULL,
    in_remit           BOOLEAN NOT NULL,
    relevant           BOOLEAN NOT NULL,
    score              DOUBLE NOT NULL,   -- 0..1
    stage              VARCHAR,           -- consultation, draft, adopted, funding_call, tender, news
    topics             VARCHAR[] NOT NULL,
    topic_scores       JSON,              -- {"energy": 0.8, ...}
    evidence           JSON               -- [{"term","topic","field","start","end","sentence"}]
);

CREATE SEQUENCE relevance_labels_id_seq;
CREATE TABLE relevance_labels (
    id          BIGINT PRIMARY KEY DEFAULT nextval('relevance_labels_id_seq'),
    item_id     VARCHAR NOT NULL,
    relevant    BOOLEAN,
    topics      VARCHAR[],
    labelled_by VARCHAR NOT NULL,
    labelled_at TIMESTAMPTZ NOT NULL,
    note        VARCHAR
);

CREATE TABLE organisations (
    id            VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    short_name    VARCHAR,
    kind          VARCHAR,   -- stadtwerk, stadt, gemeinde, verband, ...
    contact_name  VARCHAR,
    contact_email VARCHAR,
    address       VARCHAR,
    is_member     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              VARCHAR PRIMARY KEY,   -- login name
    display_name    VARCHAR NOT NULL,
    email           VARCHAR,
    role            VARCHAR NOT NULL,      -- admin, team, member
    organisation_id VARCHAR,               -- required for role member
    password_hash   VARCHAR,               -- argon2; never clear text
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE item_triage (
    item_id           VARCHAR PRIMARY KEY,
    status            VARCHAR NOT NULL DEFAULT 'neu',
    owner             VARCHAR,
    member_input_due  DATE,
    board_signoff_due DATE,
    updated_by        VARCHAR,
    updated_at        TIMESTAMPTZ
);

CREATE SEQUENCE triage_events_id_seq;
CREATE TABLE triage_events (
    id        BIGINT PRIMARY KEY DEFAULT nextval('triage_events_id_seq'),
    item_id   VARCHAR NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,   -- status, owner, member_input_due, board_signoff_due, ...
    old_value VARCHAR,
    new_value VARCHAR
);
