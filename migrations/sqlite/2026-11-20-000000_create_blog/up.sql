-- Times are UTC text (`YYYY-MM-DD HH:MM:SS[.ffffff]`), which sorts correctly.

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL DEFAULT '',
    excerpt      TEXT,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    -- Bumped by every change to the post's representation; the ETag.
    version      INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX posts_public_order ON posts (published_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    -- Normalised, lower-cased name: the tag's identity.
    name_key    TEXT NOT NULL UNIQUE,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE post_tags (
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    -- The author's order within the post.
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id)
) WITHOUT ROWID;

CREATE INDEX post_tags_by_tag ON post_tags (tag_id, post_id);
