-- When each user last looked at the inbox, and since when items count as NEU in the
-- user's current look (kept while the user keeps looking, across reloads and tabs).
CREATE TABLE inbox_visits (
    user_id        VARCHAR PRIMARY KEY,
    last_visit_at  TIMESTAMPTZ NOT NULL,
    new_since      TIMESTAMPTZ NOT NULL
);
