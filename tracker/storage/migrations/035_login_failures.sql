-- Failed logins per typed login name, keyed by its SHA-256 so that whatever was typed
-- (a password in the wrong field, say) is never stored. Unknown names are counted too,
-- so a lock-out tells nobody whether a user exists.
CREATE TABLE login_failures (
    login_key      VARCHAR PRIMARY KEY,
    failures       INTEGER NOT NULL,
    last_failed_at TIMESTAMPTZ NOT NULL
);
