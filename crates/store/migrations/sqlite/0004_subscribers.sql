-- E-mail subscribers of the status page: double opt-in, per-component or
-- everything, one-click unsubscribe.
CREATE TABLE subscribers (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    -- ",id1,id2," for chosen components; empty for everything.
    components      TEXT NOT NULL,
    language        TEXT NOT NULL,
    confirm_hash    TEXT,
    confirmed_at    INTEGER,
    unsubscribed_at INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (lower(email));
CREATE INDEX subscribers_confirm_idx ON subscribers (confirm_hash);
