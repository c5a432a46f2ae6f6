-- Alerts: who wants what (subscriptions), what is to be sent (outbox, one row per alert
-- per recipient, unique by dedup_key), what each send attempt did, and job leases so two
-- processes never run the same periodic job at once.

CREATE SEQUENCE alert_subscriptions_id_seq;
CREATE TABLE alert_subscriptions (
    id             BIGINT PRIMARY KEY DEFAULT nextval('alert_subscriptions_id_seq'),
    user_id        VARCHAR NOT NULL,          -- users.id
    topics         VARCHAR[] NOT NULL,        -- empty: every topic
    min_score      DOUBLE NOT NULL DEFAULT 0.6,
    channels       VARCHAR[] NOT NULL,        -- 'email', 'webhook:<name>'
    mode           VARCHAR NOT NULL DEFAULT 'digest',   -- digest | immediate
    kinds          VARCHAR[] NOT NULL,        -- reminder, new_item, deadline_moved, source_failing
    reminder_days  INTEGER[] NOT NULL,        -- working days before a date
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL
);

-- A row is never deleted: pending -> sending (batch formed, message_id fixed) -> sent,
-- or -> failed (retried with backoff, same batch and message_id) -> ... -> sent.
CREATE SEQUENCE alert_outbox_id_seq;
CREATE TABLE alert_outbox (
    id              BIGINT PRIMARY KEY DEFAULT nextval('alert_outbox_id_seq'),
    dedup_key       VARCHAR NOT NULL UNIQUE,
    alert_key       VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    item_id         VARCHAR,
    source_id       VARCHAR,
    user_id         VARCHAR,
    channel         VARCHAR NOT NULL,          -- email | webhook:<name>
    recipient       VARCHAR NOT NULL,          -- address or webhook name
    mode            VARCHAR NOT NULL,          -- digest | immediate
    payload         JSON NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    status          VARCHAR NOT NULL DEFAULT 'pending',
    message_id      VARCHAR,
    batch_formed_at TIMESTAMPTZ,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_error      VARCHAR,
    sent_at         TIMESTAMPTZ
);

CREATE SEQUENCE alert_deliveries_id_seq;
CREATE TABLE alert_deliveries (
    id           BIGINT PRIMARY KEY DEFAULT nextval('alert_deliveries_id_seq'),
    message_id   VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    recipient    VARCHAR NOT NULL,
    alert_count  INTEGER NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    ok           BOOLEAN NOT NULL,
    error        VARCHAR,
    duration_ms  INTEGER
);

CREATE TABLE job_leases (
    name        VARCHAR PRIMARY KEY,
    holder      VARCHAR NOT NULL,   -- host:pid:token
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- When the last daily digest went out, so an in-process scheduler sends one per day.
CREATE TABLE alert_digest_runs (
    day     DATE PRIMARY KEY,
    sent_at TIMESTAMPTZ NOT NULL
);
