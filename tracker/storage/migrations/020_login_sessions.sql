-- Dashboard sessions held on the server: the browser keeps only a signed, HTTP-only cookie
-- with a random token; the table keeps its SHA-256. Logging out, deactivating a user or
-- changing a password ends the row (ended_at), so a copied cookie is worthless afterwards.
-- The handoff code turns a login on the page into the cookie: it is used once, within
-- minutes, by the route that sets the cookie, and the token is replaced at that moment.
CREATE TABLE login_sessions (
    id                 VARCHAR PRIMARY KEY,   -- random, never leaves the server
    user_id            VARCHAR NOT NULL,
    token_hash         VARCHAR NOT NULL,      -- sha256 of the token in the cookie
    handoff_hash       VARCHAR,               -- sha256 of the one-time code, NULL once used
    handoff_expires_at TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    last_seen_at       TIMESTAMPTZ NOT NULL,
    expires_at         TIMESTAMPTZ NOT NULL,
    ended_at           TIMESTAMPTZ,
    end_reason         VARCHAR                -- SessionEnd in tracker/vocabulary.py
);
