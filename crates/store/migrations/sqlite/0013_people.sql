-- Customer admins remove people from their organisation: the account is
-- kept (its requests and messages stay theirs) but can no longer sign in.
ALTER TABLE users ADD COLUMN removed_at INTEGER;

-- Which agents have a request open, and whether they are typing on it, so
-- that two agents do not answer the same customer at once.
CREATE TABLE request_presence (
    request_id TEXT NOT NULL REFERENCES requests (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    typing     INTEGER NOT NULL CHECK (typing IN (0, 1)),
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
