-- Per workspace, what the team decided about the letter and the draft:
-- name_members: the letter names members (attributions, dissent, co-signers); off by default,
--               the association speaks for itself.
-- quorum:       members with a position needed before a section may say "common position";
--               NULL means more than half of the members asked.
-- salutation:   the letter's salutation; NULL means "Sehr geehrte Damen und Herren,".
ALTER TABLE consultation_workspaces ADD COLUMN name_members BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE consultation_workspaces ADD COLUMN quorum INTEGER;
ALTER TABLE consultation_workspaces ADD COLUMN salutation VARCHAR;
