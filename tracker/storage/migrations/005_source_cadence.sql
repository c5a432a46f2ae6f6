-- Whether silence is to be trusted. A source knows when it was added (its grace period for
-- a first fetch runs from then), how often it is expected to bring something new (resolved
-- from feeds.toml's expect_every or its kind's default, stored so that the digest and the
-- CLI judge it without reading feeds.toml) and whether its last collection stopped at the
-- page cap. An item first stored by a source's first collection (or the first after a long
-- gap) is marked as baseline: it raises no new-item alert.
ALTER TABLE sources ADD COLUMN added_at TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN expect_every_seconds BIGINT;
ALTER TABLE sources ADD COLUMN last_capped BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE sources SET added_at = coalesce(
    (SELECT min(x.first_seen_at) FROM item_sources x WHERE x.source_id = sources.id),
    last_attempt_at, now());
UPDATE sources SET last_capped = TRUE WHERE last_warning LIKE '%Seitenobergrenze erreicht%';
ALTER TABLE items ADD COLUMN is_baseline BOOLEAN NOT NULL DEFAULT FALSE;
