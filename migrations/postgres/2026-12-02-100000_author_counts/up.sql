-- Authors are counted as tags are: a post's own row in the count deltas
-- names its author (giving a post to another user takes it from one and
-- gives it to the other), and a user's row changing logs the user, whom
-- readers then read again.
ALTER TABLE count_deltas ADD COLUMN author_id BIGINT;

CREATE OR REPLACE FUNCTION posts_log_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.deleted_at IS NULL THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at, author_id)
            VALUES (NULL, OLD.id, -1,
                    CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
                    OLD.published_at, OLD.author_id);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at, author_id)
            VALUES (NULL, NEW.id, 1,
                    CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
                    NEW.published_at, NEW.author_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER posts_visibility_log_delta ON posts;
CREATE TRIGGER posts_visibility_log_delta
    AFTER UPDATE OF status, published_at, deleted_at, author_id ON posts
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
          OR OLD.author_id IS DISTINCT FROM NEW.author_id)
    EXECUTE FUNCTION posts_log_delta();

CREATE FUNCTION users_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO count_deltas (author_id, posts) VALUES (OLD.id, 0);
    ELSE
        INSERT INTO count_deltas (author_id, posts) VALUES (NEW.id, 0);
    END IF;
    RETURN NULL;
END
$$;

-- What the authors list shows of a user.
CREATE TRIGGER users_log_change
    AFTER INSERT OR DELETE OR UPDATE OF name, slug, bio ON users
    FOR EACH ROW EXECUTE FUNCTION users_log_change();

CREATE CONSTRAINT TRIGGER users_count_change
    AFTER INSERT OR DELETE OR UPDATE OF name, slug, bio ON users
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_change();
