-- What each committed transaction did to the tag counts, written by triggers
-- in that transaction, so that a server keeping the counts in memory brings
-- them up to date by applying what changed instead of counting every link
-- again. One row is one change:
--   tag_id, posts = +1/-1, public_at: a link whose post is not trashed was
--     added to or removed from the tag; it is visible from public_at on
--     (NULL: never, a draft);
--   tag_id NULL: the same for a post itself (how many posts are visible,
--     and where each post is in the lists);
--   posts = 0: the tag's row was created, changed or deleted.
--
-- SQLite has one writer at a time, and AUTOINCREMENT never reuses an id
-- that committed: id order is commit order.
CREATE TABLE count_deltas (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    logged_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    tag_id    INTEGER,
    post_id   INTEGER,
    posts     INTEGER NOT NULL CHECK (posts BETWEEN -1 AND 1),
    public_at TEXT,
    -- A post's own row: its date, published or not (where admin lists put it).
    published_at TEXT
);

-- Old rows are deleted; a reader whose position is below pruned_below may
-- have missed some, and counts afresh. resets grows when the log cannot
-- tell what happened: every reader counts afresh.
CREATE TABLE count_deltas_horizon (
    only_row     INTEGER PRIMARY KEY DEFAULT 1 CHECK (only_row = 1),
    pruned_below INTEGER NOT NULL DEFAULT 0,
    resets       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO count_deltas_horizon DEFAULT VALUES;

-- Each link carries, beside public_at, whether its post is not trashed:
-- everything its tag's counts need, also once the post is gone. A new link
-- starts uncounted and takes its post's values at once (below), so that the
-- change is logged once, with them. (The count-change trigger on updates is
-- set aside while existing links are filled in: it counts one row at a time.)
ALTER TABLE post_tags ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER post_tags_update_count_change;
UPDATE post_tags SET counted = 1
WHERE post_id IN (SELECT id FROM posts WHERE deleted_at IS NULL);
CREATE TRIGGER post_tags_update_count_change AFTER UPDATE ON post_tags
BEGIN
    UPDATE change_counters SET count_changes = count_changes + 1;
END;

DROP TRIGGER post_tags_insert_take_public_at;
CREATE TRIGGER post_tags_insert_take_public_at AFTER INSERT ON post_tags
BEGIN
    UPDATE post_tags SET
        public_at = (
            SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
            FROM posts WHERE posts.id = NEW.post_id),
        counted = (SELECT deleted_at IS NULL FROM posts WHERE posts.id = NEW.post_id)
    WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
END;

DROP TRIGGER post_tags_update_take_public_at;
CREATE TRIGGER post_tags_update_take_public_at AFTER UPDATE OF post_id ON post_tags
BEGIN
    UPDATE post_tags SET
        public_at = (
            SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
            FROM posts WHERE posts.id = NEW.post_id),
        counted = (SELECT deleted_at IS NULL FROM posts WHERE posts.id = NEW.post_id)
    WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
END;

DROP TRIGGER posts_share_public_at;
CREATE TRIGGER posts_share_public_at
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    WHEN OLD.status IS NOT NEW.status
        OR OLD.published_at IS NOT NEW.published_at
        OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    UPDATE post_tags
    SET public_at = CASE
            WHEN NEW.status = 'published' AND NEW.deleted_at IS NULL THEN NEW.published_at
        END,
        counted = NEW.deleted_at IS NULL
    WHERE post_id = NEW.id;
END;

-- A link's part in its tag's counts, taken away and given.
CREATE TRIGGER post_tags_insert_log_delta AFTER INSERT ON post_tags WHEN NEW.counted
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at)
    VALUES (NEW.tag_id, NEW.post_id, 1, NEW.public_at);
END;

CREATE TRIGGER post_tags_delete_log_delta AFTER DELETE ON post_tags WHEN OLD.counted
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at)
    VALUES (OLD.tag_id, OLD.post_id, -1, OLD.public_at);
END;

CREATE TRIGGER post_tags_update_log_delta AFTER UPDATE ON post_tags
    WHEN OLD.tag_id IS NOT NEW.tag_id
        OR OLD.counted IS NOT NEW.counted
        OR OLD.public_at IS NOT NEW.public_at
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at)
    SELECT OLD.tag_id, OLD.post_id, -1, OLD.public_at WHERE OLD.counted;
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at)
    SELECT NEW.tag_id, NEW.post_id, 1, NEW.public_at WHERE NEW.counted;
END;

-- A post's own part: how many posts are visible, and when.
CREATE TRIGGER posts_insert_log_delta AFTER INSERT ON posts WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
    VALUES (NULL, NEW.id, 1, CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
            NEW.published_at);
END;

CREATE TRIGGER posts_delete_log_delta AFTER DELETE ON posts WHEN OLD.deleted_at IS NULL
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
    VALUES (NULL, OLD.id, -1, CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
            OLD.published_at);
END;

CREATE TRIGGER posts_visibility_log_delta
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    WHEN OLD.status IS NOT NEW.status
        OR OLD.published_at IS NOT NEW.published_at
        OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
    SELECT NULL, OLD.id, -1, CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
           OLD.published_at
    WHERE OLD.deleted_at IS NULL;
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
    SELECT NULL, NEW.id, 1, CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
           NEW.published_at
    WHERE NEW.deleted_at IS NULL;
END;

-- A tag's row: the reader reads it again.
CREATE TRIGGER tags_insert_log_change AFTER INSERT ON tags
BEGIN
    INSERT INTO count_deltas (tag_id, posts) VALUES (NEW.id, 0);
END;

CREATE TRIGGER tags_update_log_change AFTER UPDATE ON tags
BEGIN
    INSERT INTO count_deltas (tag_id, posts) VALUES (NEW.id, 0);
END;

CREATE TRIGGER tags_delete_log_change AFTER DELETE ON tags
BEGIN
    INSERT INTO count_deltas (tag_id, posts) VALUES (OLD.id, 0);
END;
