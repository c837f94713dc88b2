DROP TRIGGER users_count_change ON users;
DROP TRIGGER users_log_change ON users;
DROP FUNCTION users_log_change();

DROP TRIGGER posts_visibility_log_delta ON posts;
CREATE TRIGGER posts_visibility_log_delta
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION posts_log_delta();

CREATE OR REPLACE FUNCTION posts_log_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.deleted_at IS NULL THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
            VALUES (NULL, OLD.id, -1,
                    CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
                    OLD.published_at);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
            VALUES (NULL, NEW.id, 1,
                    CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
                    NEW.published_at);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

ALTER TABLE count_deltas DROP COLUMN author_id;
