-- Community moderation. A post by a user without an approved post yet is
-- held for review while staff have that switched on (`held`; a held
-- question holds its thread). A thread merged into another keeps its row
-- so that old links lead to where its posts went (`merged_into`).
ALTER TABLE community_threads ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE community_threads ADD COLUMN merged_into TEXT;
ALTER TABLE community_posts ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX community_posts_author_idx ON community_posts (author_id, held, hidden);
CREATE INDEX community_posts_held_idx ON community_posts (held, hidden);

-- A reader's report of a post: one per reader and post, open until staff
-- resolve it (hide the post or dismiss the report).
CREATE TABLE community_reports (
    post_id     TEXT NOT NULL REFERENCES community_posts (id),
    reporter_id TEXT NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL CHECK (reason IN ('spam', 'abusive', 'off_topic', 'other')),
    comment     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    PRIMARY KEY (post_id, reporter_id)
);
CREATE INDEX community_reports_open_idx ON community_reports (resolved_at, created_at);
