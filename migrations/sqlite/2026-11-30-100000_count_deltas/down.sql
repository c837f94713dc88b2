DROP TRIGGER tags_delete_log_change;
DROP TRIGGER tags_update_log_change;
DROP TRIGGER tags_insert_log_change;
DROP TRIGGER posts_visibility_log_delta;
DROP TRIGGER posts_delete_log_delta;
DROP TRIGGER posts_insert_log_delta;
DROP TRIGGER post_tags_update_log_delta;
DROP TRIGGER post_tags_delete_log_delta;
DROP TRIGGER post_tags_insert_log_delta;

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
    END
    WHERE post_id = NEW.id;
END;

DROP TRIGGER post_tags_update_take_public_at;
CREATE TRIGGER post_tags_update_take_public_at AFTER UPDATE OF post_id ON post_tags
BEGIN
    UPDATE post_tags SET public_at = (
        SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
        FROM posts
        WHERE posts.id = NEW.post_id
    )
    WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
END;

DROP TRIGGER post_tags_insert_take_public_at;
CREATE TRIGGER post_tags_insert_take_public_at AFTER INSERT ON post_tags
BEGIN
    UPDATE post_tags SET public_at = (
        SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
        FROM posts
        WHERE posts.id = NEW.post_id
    )
    WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
END;

ALTER TABLE post_tags DROP COLUMN counted;
DROP TABLE count_deltas_horizon;
DROP TABLE count_deltas;
