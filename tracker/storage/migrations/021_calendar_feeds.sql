-- Personal calendar subscriptions: a secret URL per user that calendar apps poll. Only
-- the SHA-256 of the secret is kept; revoking sets revoked_at, and a user who lost the
-- address makes a new one (the old one is revoked with it).
CREATE TABLE calendar_feeds (
    secret_hash     VARCHAR PRIMARY KEY,
    user_id         VARCHAR NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ,
    last_fetched_at TIMESTAMPTZ,
    fetches         INTEGER NOT NULL DEFAULT 0
);
