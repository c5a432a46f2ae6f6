-- When each user last looked at the inbox: an item first seen after that is NEU for them.
CREATE TABLE inbox_visits (
    user_id        VARCHAR PRIMARY KEY,
    last_visit_at  TIMESTAMPTZ NOT NULL
);
