-- Response targets: per plan and priority, in business minutes (NULL: no
-- target), and each request's running or paused target clock.
CREATE TABLE response_targets (
    plan                   TEXT NOT NULL,
    priority               INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
    first_response_minutes INTEGER,
    next_response_minutes  INTEGER,
    PRIMARY KEY (plan, priority)
);
ALTER TABLE requests ADD COLUMN target_kind TEXT;
ALTER TABLE requests ADD COLUMN target_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN target_started_at INTEGER;
ALTER TABLE requests ADD COLUMN target_spent_ms INTEGER NOT NULL DEFAULT 0;
-- When support first answered in public, and how many targets were missed
-- (for the reports).
ALTER TABLE requests ADD COLUMN first_response_at INTEGER;
ALTER TABLE requests ADD COLUMN targets_missed INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET first_response_at = (
    SELECT MIN(m.created_at) FROM request_messages m JOIN users u ON u.id = m.author_id
    WHERE m.request_id = requests.id AND m.internal = 0 AND u.role IN ('agent', 'support_admin'));
-- The support reports read requests by when they were filed.
CREATE INDEX requests_created_idx ON requests (created_at);
