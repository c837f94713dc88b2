-- Authors are counted as tags are: a post's own row in the count deltas
-- names its author (giving a post to another user takes it from one and
-- gives it to the other), and a user's row changing logs the user, whom
-- readers then read again.
ALTER TABLE count_deltas ADD COLUMN author_id INTEGER;

DROP TRIGGER posts_insert_log_delta;
CREATE TRIGGER posts_insert_log_delta AFTER INSERT ON posts WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at, author_id)
    VALUES (NULL, NEW.id, 1, CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
            NEW.published_at, NEW.author_id);
END;

DROP TRIGGER posts_delete_log_delta;
CREATE TRIGGER posts_delete_log_delta AFTER DELETE ON posts WHEN OLD.deleted_at IS NULL
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at, author_id)
    VALUES (NULL, OLD.id, -1, CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
            OLD.published_at, OLD.author_id);
END;

DROP TRIGGER posts_visibility_log_delta;
CREATE TRIGGER posts_visibility_log_delta
    AFTER UPDATE OF status, published_at, deleted_at, author_id ON posts
    WHEN OLD.status IS NOT NEW.status
        OR OLD.published_at IS NOT NEW.published_at
        OR OLD.deleted_at IS NOT NEW.deleted_at
        OR OLD.author_id IS NOT NEW.author_id
BEGIN
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at, author_id)
    SELECT NULL, OLD.id, -1, CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
           OLD.published_at, OLD.author_id
    WHERE OLD.deleted_at IS NULL;
    INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at, author_id)
    SELECT NULL, NEW.id, 1, CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
           NEW.published_at, NEW.author_id
    WHERE NEW.deleted_at IS NULL;
END;

-- What the authors list shows of a user.
CREATE TRIGGER users_insert_log_change AFTER INSERT ON users
BEGIN
    INSERT INTO count_deltas (author_id, posts) VALUES (NEW.id, 0);
    UPDATE change_counters SET count_changes = count_changes + 1;
END;

CREATE TRIGGER users_update_log_change AFTER UPDATE OF name, slug, bio ON users
BEGIN
    INSERT INTO count_deltas (author_id, posts) VALUES (NEW.id, 0);
    UPDATE change_counters SET count_changes = count_changes + 1;
END;

CREATE TRIGGER users_delete_log_change AFTER DELETE ON users
BEGIN
    INSERT INTO count_deltas (author_id, posts) VALUES (OLD.id, 0);
    UPDATE change_counters SET count_changes = count_changes + 1;
END;
