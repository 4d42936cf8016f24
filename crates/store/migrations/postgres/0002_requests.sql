-- Support requests, their conversation, their append-only activity log,
-- followers and attachments.
CREATE TABLE requests (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    requester_id  TEXT NOT NULL REFERENCES users (id),
    subject       TEXT NOT NULL,
    description   TEXT NOT NULL,
    priority      BIGINT NOT NULL CHECK (priority IN (0, 1, 2)),
    status        TEXT NOT NULL CHECK (status IN ('new', 'open', 'waiting_on_customer', 'solved', 'closed')),
    component     TEXT,
    assignee_id   TEXT REFERENCES users (id),
    follow_up_of  TEXT REFERENCES requests (id),
    search_text   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    solved_at     BIGINT
);
-- The inbox: one organisation, optionally one status, newest activity first.
CREATE INDEX requests_org_activity_idx ON requests (org_id, updated_at DESC, id DESC);
CREATE INDEX requests_org_status_activity_idx ON requests (org_id, status, updated_at DESC, id DESC);
-- The agents' queue: by status, most urgent first, then oldest.
CREATE INDEX requests_queue_idx ON requests (status, priority, created_at, id);
CREATE INDEX requests_assignee_idx ON requests (assignee_id, status, priority, created_at, id);
CREATE INDEX requests_solved_idx ON requests (status, solved_at);
-- Staff listing across organisations.
CREATE INDEX requests_activity_idx ON requests (updated_at DESC, id DESC);
CREATE INDEX requests_status_activity_idx ON requests (status, updated_at DESC, id DESC);

CREATE TABLE request_messages (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    author_id  TEXT NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    internal   BIGINT NOT NULL CHECK (internal IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX request_messages_request_idx ON request_messages (request_id, created_at, id);

CREATE TABLE request_events (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    actor_id   TEXT REFERENCES users (id),
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    internal   BIGINT NOT NULL CHECK (internal IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX request_events_request_idx ON request_events (request_id, created_at, id);

CREATE TABLE request_followers (
    request_id TEXT NOT NULL REFERENCES requests (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (request_id, user_id)
);

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id),
    message_id   TEXT REFERENCES request_messages (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_request_idx ON attachments (request_id);

-- The product's features as listed on the status page. Requests may name
-- the one they concern.
CREATE TABLE components (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    group_name  TEXT,
    position    BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'operational'
                CHECK (status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX components_order_idx ON components (position, name);
