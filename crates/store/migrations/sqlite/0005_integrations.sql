-- Status integrations of an organisation: a Slack, Teams or Discord
-- webhook or a generic signed JSON webhook, posted to when an incident is
-- created, changes status or is resolved.
CREATE TABLE integrations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    kind        TEXT NOT NULL,
    url         TEXT NOT NULL,
    -- The signing secret of a generic webhook.
    secret      TEXT,
    -- ",id1,id2," for chosen components; empty for everything.
    components  TEXT NOT NULL,
    created_by  TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX integrations_org_idx ON integrations (org_id, created_at);

-- Browsers subscribed to Web Push from the status page (RFC 8030/8291).
CREATE TABLE push_subscriptions (
    id          TEXT PRIMARY KEY,
    endpoint    TEXT NOT NULL,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    components  TEXT NOT NULL,
    language    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX push_subscriptions_endpoint_key ON push_subscriptions (endpoint);
