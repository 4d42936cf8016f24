-- The help center: articles in three collections, grouped in ordered
-- sections; the same article in Swedish and English shares a `family`.
-- Every save is a revision; readers see the published one. Votes on "Was
-- this information helpful?" are one per reader per article (and section),
-- changeable. Searches that found nothing and opened deflection suggestions
-- are kept for the staff report.
CREATE TABLE help_sections (
    id         TEXT PRIMARY KEY,
    collection TEXT NOT NULL CHECK (collection IN ('help', 'resources', 'developers')),
    slug       TEXT NOT NULL UNIQUE,
    title_sv   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    position   INTEGER NOT NULL
);

CREATE TABLE articles (
    id                 TEXT PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    family             TEXT NOT NULL,
    lang               TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    collection         TEXT NOT NULL CHECK (collection IN ('help', 'resources', 'developers')),
    section_id         TEXT REFERENCES help_sections (id),
    position           INTEGER NOT NULL,
    -- ',advanced,enterprise,' when only some plans apply; '' for everyone.
    plans              TEXT NOT NULL,
    others_may_read    INTEGER NOT NULL,
    -- The latest revision (the draft being written).
    title              TEXT NOT NULL,
    body               TEXT NOT NULL,
    revision           INTEGER NOT NULL,
    -- What readers see; NULL until first published.
    published_revision INTEGER,
    published_title    TEXT,
    published_body     TEXT,
    published_at       INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (family, lang)
);
CREATE INDEX articles_collection_idx ON articles (collection, position);

CREATE TABLE article_revisions (
    article_id TEXT NOT NULL REFERENCES articles (id),
    number     INTEGER NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    author_id  TEXT REFERENCES users (id),
    published  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, number)
);

CREATE TABLE article_votes (
    article_id TEXT NOT NULL REFERENCES articles (id),
    -- 'u:' and a user id, or 'a:' and the hash of an anonymous cookie.
    voter      TEXT NOT NULL,
    -- A section heading's anchor, or '' for the whole article.
    section    TEXT NOT NULL,
    helpful    INTEGER NOT NULL,
    reason     TEXT,
    comment    TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, voter, section)
);
CREATE INDEX article_votes_time_idx ON article_votes (updated_at);

CREATE TABLE help_searches_missed (
    id         TEXT PRIMARY KEY,
    query      TEXT NOT NULL,
    lang       TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE help_suggestions_opened (
    id         TEXT PRIMARY KEY,
    -- What was typed when the suggestion was shown, and what was opened.
    query      TEXT NOT NULL,
    url        TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id),
    created_at INTEGER NOT NULL
);

-- Images for articles, uploaded by support admins; the bytes live with
-- the attachments under the data directory.
CREATE TABLE help_images (
    id           TEXT PRIMARY KEY,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    uploaded_by  TEXT REFERENCES users (id),
    created_at   INTEGER NOT NULL
);

-- The help community: customers ask, anyone signed in answers. A thread's
-- question is its first post; hidden threads and posts are for staff only.
CREATE TABLE community_threads (
    id              TEXT PRIMARY KEY,
    author_id       TEXT NOT NULL REFERENCES users (id),
    title           TEXT NOT NULL,
    lang            TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
    locked          INTEGER NOT NULL,
    hidden          INTEGER NOT NULL,
    accepted_post   TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX community_threads_time_idx ON community_threads (updated_at);

CREATE TABLE community_posts (
    id         TEXT PRIMARY KEY,
    thread_id  TEXT NOT NULL REFERENCES community_threads (id),
    author_id  TEXT NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    -- The question itself (the first post) or an answer.
    is_question INTEGER NOT NULL,
    hidden     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX community_posts_thread_idx ON community_posts (thread_id, created_at);

CREATE TABLE community_votes (
    post_id    TEXT NOT NULL REFERENCES community_posts (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
