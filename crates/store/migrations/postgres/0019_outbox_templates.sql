-- A fan-out to many subscribers stores its rendered message once per
-- language here; each subscriber's outbox row then holds only what differs
-- (the address in `target`, the unsubscribe link in `payload`) and names its
-- template. Readers of the outbox see the whole message: the store fills the
-- template's slots with the row's values when it reads the row.
CREATE TABLE outbox_templates (
    id         TEXT PRIMARY KEY,
    slot       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE outbox ADD COLUMN template_id TEXT;
-- The signature of each subscriber's unsubscribe link, kept beside the
-- subscriber so that a fan-out writes every row inside the database
-- (INSERT … SELECT) instead of computing it per subscriber. Filled when a
-- subscriber confirms; rows from before (and bulk imports) are signed by the
-- next fan-out, found through the partial index.
ALTER TABLE subscribers ADD COLUMN link_sig TEXT;
CREATE INDEX subscribers_unsigned_idx ON subscribers (id) WHERE link_sig IS NULL;
