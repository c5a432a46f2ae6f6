-- When a message was last handed to its channel (SMTP server, webhook). Set and committed
-- before the hand-over: a message with this time but not sent was possibly received, one
-- without it never left. Acknowledgements are journalled beside the database (storage/acks.py).
ALTER TABLE alert_outbox ADD COLUMN handed_over_at TIMESTAMPTZ;
