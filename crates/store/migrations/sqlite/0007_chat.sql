-- Live chat with support. A chat waits in the queue, is taken by an agent,
-- and ends; its messages are numbered per chat (seq, one more per stored
-- message) and each carries the client's own id, so a resent message is
-- stored once.
CREATE TABLE chats (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    requester_id   TEXT NOT NULL REFERENCES users (id),
    subject        TEXT NOT NULL,
    component      TEXT,
    state          TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'ended')),
    agent_id       TEXT REFERENCES users (id),
    last_seq       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    accepted_at    INTEGER,
    ended_at       INTEGER,
    ended_by       TEXT,
    rating         TEXT CHECK (rating IN ('good', 'bad')),
    rating_comment TEXT,
    request_id     TEXT,
    incident_id    TEXT,
    -- The last message the customer was e-mailed about.
    notified_seq   INTEGER NOT NULL
);
CREATE INDEX chats_org_idx ON chats (org_id, created_at);
CREATE INDEX chats_state_idx ON chats (state, created_at, id);
CREATE INDEX chats_agent_idx ON chats (agent_id, state);

CREATE TABLE chat_messages (
    chat_id    TEXT NOT NULL REFERENCES chats (id),
    seq        INTEGER NOT NULL,
    client_id  TEXT NOT NULL,
    -- Null for what the system says (transfers, the end).
    author_id  TEXT REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, seq),
    UNIQUE (chat_id, client_id)
);

-- How far each participant has read.
CREATE TABLE chat_reads (
    chat_id TEXT NOT NULL REFERENCES chats (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    seq     INTEGER NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- Agents' presence, renewed while their console is open.
CREATE TABLE agent_presence (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    state   TEXT NOT NULL CHECK (state IN ('online', 'away', 'offline')),
    seen_at INTEGER NOT NULL
);

-- How many chats an agent takes at once.
ALTER TABLE users ADD COLUMN chat_capacity INTEGER NOT NULL DEFAULT 3;
