-- Status content in more than one language, edits and postmortems.
-- name / body / description stay the text in the installation's default
-- language; translations holds the others as JSON:
-- {"sv": {"name": "…", "body": "…"}}.
ALTER TABLE components ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE incidents ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE incident_updates ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';

-- A postmortem (Markdown) written after an incident, and when it was
-- first published.
ALTER TABLE incidents ADD COLUMN postmortem TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN postmortem_at BIGINT;

-- When an incident's texts or an update were last edited; every edit keeps
-- what the texts were before it (JSON), so the history can be shown.
ALTER TABLE incidents ADD COLUMN edited_at BIGINT;
ALTER TABLE incident_updates ADD COLUMN edited_at BIGINT;
CREATE TABLE incident_edits (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    update_id   TEXT REFERENCES incident_updates (id),
    editor_id   TEXT,
    previous    TEXT NOT NULL,
    edited_at   BIGINT NOT NULL
);
CREATE INDEX incident_edits_idx ON incident_edits (incident_id, edited_at);
