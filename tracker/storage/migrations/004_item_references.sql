-- Reference numbers the publishers give (COM and Council document numbers, EU procedure
-- and CELEX numbers, Bundestag and Bundesrat Drucksache numbers, DIP Vorgang ids), per item
-- and the source that gave them. Items sharing one are the same matter at another level
-- (tracker.work.linking). origin: 'field' (a structured field of the source) or 'text'
-- (found in title, summary or link). A collection replaces an item's rows of one source
-- in its transaction (delete, then insert), so the table has no unique key: DuckDB checks
-- a key against rows deleted earlier in the same transaction.

CREATE TABLE item_references (
    item_id   VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,
    value     VARCHAR NOT NULL,
    origin    VARCHAR NOT NULL
);
CREATE INDEX item_references_value ON item_references (kind, value);
CREATE INDEX item_references_item ON item_references (item_id);
