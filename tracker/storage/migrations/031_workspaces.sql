-- A consultation workspace: one per item the team decided to answer. Status moves
-- vorbereitung -> offen (members may enter positions) -> geschlossen (drafting)
-- -> eingereicht. Members see a workspace only once it has been opened for input.
CREATE TABLE consultation_workspaces (
    item_id            VARCHAR PRIMARY KEY,
    title              VARCHAR NOT NULL,   -- consultation title used in the letter's subject
    addressee          VARCHAR,            -- postal addressee block, one line per line
    reference          VARCHAR,            -- Aktenzeichen / Geschaeftszeichen of the addressee
    external_deadline  DATE,
    member_input_due   DATE,
    status             VARCHAR NOT NULL DEFAULT 'vorbereitung',
    positions_shared   BOOLEAN NOT NULL DEFAULT FALSE,  -- members may read each other's positions
    cosigner_ids       VARCHAR[],          -- NULL: every organisation that took part
    created_by         VARCHAR NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_by         VARCHAR,
    updated_at         TIMESTAMPTZ,
    opened_at          TIMESTAMPTZ
);

CREATE TABLE workspace_members (
    item_id         VARCHAR NOT NULL,
    organisation_id VARCHAR NOT NULL,
    asked_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, organisation_id)
);
