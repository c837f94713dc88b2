-- Every write that can change a tag's counts, or a tag itself, adds one to
-- this counter in the same transaction. A server keeps the tag counts in
-- memory with the counter it read alongside them, and trusts them only while
-- the counter is unchanged. (One row: SQLite has one writer at a time.)
CREATE TABLE count_changes (
    shard   INTEGER PRIMARY KEY,
    changes INTEGER NOT NULL DEFAULT 0
);
INSERT INTO count_changes (shard, changes) VALUES (0, 0);

CREATE TRIGGER posts_insert_count_change AFTER INSERT ON posts
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER posts_delete_count_change AFTER DELETE ON posts
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

-- Only what decides whether a post is counted, and where.
CREATE TRIGGER posts_visibility_count_change
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    WHEN OLD.status IS NOT NEW.status
        OR OLD.published_at IS NOT NEW.published_at
        OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER post_tags_insert_count_change AFTER INSERT ON post_tags
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER post_tags_update_count_change AFTER UPDATE ON post_tags
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER post_tags_delete_count_change AFTER DELETE ON post_tags
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER tags_insert_count_change AFTER INSERT ON tags
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER tags_update_count_change AFTER UPDATE ON tags
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;

CREATE TRIGGER tags_delete_count_change AFTER DELETE ON tags
BEGIN
    UPDATE count_changes SET changes = changes + 1;
END;
