-- The status page: every change of a component's status, incidents and
-- scheduled maintenance (one table, as the Statuspage API models them),
-- their updates and the components they affect.
CREATE TABLE component_history (
    id           TEXT PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES components (id),
    status       TEXT NOT NULL,
    since        INTEGER NOT NULL
);
CREATE INDEX component_history_idx ON component_history (component_id, since);

CREATE TABLE incidents (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    impact          TEXT NOT NULL,
    scheduled_for   INTEGER,
    scheduled_until INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    monitoring_at   INTEGER,
    resolved_at     INTEGER
);
CREATE INDEX incidents_kind_created_idx ON incidents (kind, created_at DESC);
CREATE INDEX incidents_open_idx ON incidents (kind, resolved_at);

CREATE TABLE incident_updates (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    status      TEXT NOT NULL,
    body        TEXT NOT NULL,
    affected    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX incident_updates_idx ON incident_updates (incident_id, created_at);

CREATE TABLE incident_components (
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    component_id TEXT NOT NULL REFERENCES components (id),
    status       TEXT NOT NULL,
    PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX incident_components_component_idx ON incident_components (component_id);

-- Support requests linked to an incident, answered together when it is resolved.
CREATE TABLE incident_requests (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    request_id  TEXT NOT NULL REFERENCES requests (id),
    PRIMARY KEY (incident_id, request_id)
);
