DROP TRIGGER users_delete_log_change;
DROP TRIGGER users_update_log_change;
DROP TRIGGER users_insert_log_change;

DROP TRIGGER posts_visibility_log_delta;
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

DROP TRIGGER posts_delete_log_delta;
CREATE TRIGGER posts_delete_log_delta AFTER DELETE ON posts WHEN OLD.deleted_at IS NULL
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
    VALUES (NULL, OLD.id, -1, CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
            OLD.published_at);
END;

DROP TRIGGER posts_insert_log_delta;
CREATE TRIGGER posts_insert_log_delta AFTER INSERT ON posts WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
    VALUES (NULL, NEW.id, 1, CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
            NEW.published_at);
END;

ALTER TABLE count_deltas DROP COLUMN author_id;
