-- The agents' workspace: request numbers, the queue's stages and counts,
-- canned replies, saved views and ratings.

-- A human-friendly number per installation (#1042), in filing order.
ALTER TABLE requests ADD COLUMN number INTEGER;
UPDATE requests SET number = x.n
  FROM (SELECT id, 1000 + ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM requests) AS x
  WHERE x.id = requests.id;
CREATE UNIQUE INDEX requests_number_idx ON requests (number);
-- When the next response is due (response targets); NULL when nothing is.
ALTER TABLE requests ADD COLUMN due_at INTEGER;

-- backend-specific:begin
-- The queue's stage of a status (0 new or open, 1 waiting on the
-- customer, 2 solved, 3 closed), so that each view is one index range, and
-- the due time with "nothing due" sorted last.
ALTER TABLE requests ADD COLUMN stage INTEGER GENERATED ALWAYS AS
  (CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 0 WHEN 'waiting_on_customer' THEN 1 WHEN 'solved' THEN 2 ELSE 3 END) VIRTUAL;
ALTER TABLE requests ADD COLUMN due_key INTEGER GENERATED ALWAYS AS
  (COALESCE(due_at, 9000000000000000)) VIRTUAL;
-- backend-specific:end

DROP INDEX requests_queue_idx;
DROP INDEX requests_assignee_idx;
-- Every queue view in every order is one index range: by stage, and for
-- the unassigned view by stage among the unassigned.
CREATE INDEX requests_stage_priority_idx ON requests (stage, priority, number);
CREATE INDEX requests_stage_number_idx ON requests (stage, number);
CREATE INDEX requests_stage_updated_idx ON requests (stage, updated_at, number);
CREATE INDEX requests_stage_due_idx ON requests (stage, due_key, number);
CREATE INDEX requests_unassigned_priority_idx ON requests (stage, priority, number) WHERE assignee_id IS NULL;
CREATE INDEX requests_unassigned_number_idx ON requests (stage, number) WHERE assignee_id IS NULL;
CREATE INDEX requests_unassigned_updated_idx ON requests (stage, updated_at, number) WHERE assignee_id IS NULL;
CREATE INDEX requests_unassigned_due_idx ON requests (stage, due_key, number) WHERE assignee_id IS NULL;
-- One agent's requests in each order (the "mine" view and the assignee
-- filter): the stage is checked on the way, as most of them are unsolved.
CREATE INDEX requests_assignee_priority_idx ON requests (assignee_id, priority, number);
CREATE INDEX requests_assignee_number_idx ON requests (assignee_id, number);
CREATE INDEX requests_assignee_updated_idx ON requests (assignee_id, updated_at, number);
CREATE INDEX requests_assignee_due_idx ON requests (assignee_id, due_key, number);
-- All requests, in each order.
CREATE INDEX requests_priority_idx ON requests (priority, number);
CREATE INDEX requests_updated_idx ON requests (updated_at, number);
CREATE INDEX requests_due_idx ON requests (due_key, number);
CREATE INDEX incident_requests_request_idx ON incident_requests (request_id);

-- How many requests are in each status, and how many new or open ones
-- nobody is assigned: kept by triggers in the transaction of each change,
-- so the queue's counts cost one read however many requests there are.
CREATE TABLE request_counts (
    bucket TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
);
INSERT INTO request_counts (bucket, n) VALUES
  ('status:new', 0), ('status:open', 0), ('status:waiting_on_customer', 0),
  ('status:solved', 0), ('status:closed', 0), ('unassigned', 0);
UPDATE request_counts SET n = (SELECT COUNT(*) FROM requests WHERE 'status:' || status = request_counts.bucket)
  WHERE bucket LIKE 'status:%';
UPDATE request_counts SET n = (SELECT COUNT(*) FROM requests WHERE status IN ('new', 'open') AND assignee_id IS NULL)
  WHERE bucket = 'unassigned';

-- backend-specific:begin
CREATE TRIGGER requests_count_insert AFTER INSERT ON requests BEGIN
  UPDATE request_counts SET n = n + 1 WHERE bucket = 'status:' || NEW.status;
  UPDATE request_counts SET n = n + 1
    WHERE bucket = 'unassigned' AND NEW.status IN ('new', 'open') AND NEW.assignee_id IS NULL;
END;
CREATE TRIGGER requests_count_update AFTER UPDATE OF status, assignee_id ON requests
  WHEN OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id BEGIN
  UPDATE request_counts SET n = n - 1 WHERE bucket = 'status:' || OLD.status;
  UPDATE request_counts SET n = n + 1 WHERE bucket = 'status:' || NEW.status;
  UPDATE request_counts SET n = n - 1
    WHERE bucket = 'unassigned' AND OLD.status IN ('new', 'open') AND OLD.assignee_id IS NULL;
  UPDATE request_counts SET n = n + 1
    WHERE bucket = 'unassigned' AND NEW.status IN ('new', 'open') AND NEW.assignee_id IS NULL;
END;
CREATE TRIGGER requests_count_delete AFTER DELETE ON requests BEGIN
  UPDATE request_counts SET n = n - 1 WHERE bucket = 'status:' || OLD.status;
  UPDATE request_counts SET n = n - 1
    WHERE bucket = 'unassigned' AND OLD.status IN ('new', 'open') AND OLD.assignee_id IS NULL;
END;
-- backend-specific:end

-- Canned replies: an agent's own, or shared with every agent.
CREATE TABLE macros (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    shared     INTEGER NOT NULL CHECK (shared IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX macros_owner_idx ON macros (owner_id, name);
CREATE INDEX macros_shared_idx ON macros (shared, name);

-- An agent's saved queue views: a name and the queue's query string.
CREATE TABLE saved_views (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX saved_views_user_idx ON saved_views (user_id, name);

-- The requester's organisation rates a solved request: good or bad and a
-- comment. One rating per request; rating again replaces it.
CREATE TABLE request_ratings (
    request_id TEXT PRIMARY KEY REFERENCES requests (id),
    rater_id   TEXT NOT NULL REFERENCES users (id),
    good       INTEGER NOT NULL CHECK (good IN (0, 1)),
    comment    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX request_ratings_created_idx ON request_ratings (created_at);
