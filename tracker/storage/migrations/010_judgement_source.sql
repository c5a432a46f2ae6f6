-- The source whose feeds.toml hints an item was judged with, so that `tracker tag` judges
-- it the same way as the collection did (NULL for judgements made before this migration:
-- re-tagging then takes the source that carried the item last).
ALTER TABLE item_judgements ADD COLUMN source_id VARCHAR;
