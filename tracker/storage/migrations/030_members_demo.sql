-- Members and users may come from the demo data set; the login page only shows demo
-- passwords when the database really holds demo users. Failed logins are counted so an
-- admin can see guessing, without ever storing what was typed.
ALTER TABLE organisations ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMPTZ;
