DROP TRIGGER count_deltas_truncate_reset ON count_deltas;
DROP TRIGGER tags_truncate_reset ON tags;
DROP TRIGGER post_tags_truncate_reset ON post_tags;
DROP TRIGGER posts_truncate_reset ON posts;
DROP FUNCTION count_deltas_reset();
DROP TRIGGER tags_log_change ON tags;
DROP FUNCTION tags_log_change();
DROP TRIGGER posts_visibility_log_delta ON posts;
DROP TRIGGER posts_log_delta ON posts;
DROP FUNCTION posts_log_delta();
DROP TRIGGER post_tags_log_delta ON post_tags;
DROP FUNCTION post_tags_log_delta();

CREATE OR REPLACE FUNCTION posts_share_public_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_tags
    SET public_at = CASE
        WHEN NEW.status = 'published' AND NEW.deleted_at IS NULL THEN NEW.published_at
    END
    WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;

DROP TRIGGER post_tags_take_public_at ON post_tags;
CREATE OR REPLACE FUNCTION post_tags_take_public_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
    INTO NEW.public_at
    FROM posts
    WHERE id = NEW.post_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER post_tags_take_public_at
    BEFORE INSERT OR UPDATE OF post_id, public_at ON post_tags
    FOR EACH ROW EXECUTE FUNCTION post_tags_take_public_at();

ALTER TABLE post_tags DROP COLUMN counted;
DROP TABLE count_deltas_horizon;
DROP TABLE count_deltas;
