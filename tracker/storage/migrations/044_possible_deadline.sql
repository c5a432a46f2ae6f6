-- A possible deadline (judge.deadlines.POSSIBLE_FLOOR): a day the text may give as its
-- deadline, too uncertain to be taken as one. Kept with the judgement, not on the item: it
-- is for a person to check ("Frist prüfen") and never enters calendars or reminders.
-- NULL for judgements made before this migration (the next `tracker tag` fills it).
ALTER TABLE item_judgements ADD COLUMN possible_deadline DATE;
ALTER TABLE item_judgements ADD COLUMN possible_deadline_text VARCHAR;
ALTER TABLE item_judgements ADD COLUMN possible_deadline_confidence DOUBLE;

-- Who changed an item by hand (a team member confirming a possible deadline); NULL for the
-- changes a source brought.
ALTER TABLE item_history ADD COLUMN recorded_by VARCHAR;
