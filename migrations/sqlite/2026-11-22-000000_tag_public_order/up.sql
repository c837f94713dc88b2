-- Each link between a post and a tag carries the post's place in public
-- lists: its published_at while it is published and not deleted, else NULL.
-- A tag's public page is then one range of an index, newest first, instead
-- of a walk over every post probing each for the tag. Triggers keep the
-- copy exact whoever writes, in SQL included.
ALTER TABLE post_tags ADD COLUMN public_at TIMESTAMP;

UPDATE post_tags SET public_at = (
    SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
    FROM posts
    WHERE posts.id = post_tags.post_id
);

CREATE INDEX post_tags_public_order ON post_tags (tag_id, public_at DESC, post_id DESC)
    WHERE public_at IS NOT NULL;

-- A link takes its post's value when it is written.
CREATE TRIGGER post_tags_insert_take_public_at AFTER INSERT ON post_tags
BEGIN
    UPDATE post_tags SET public_at = (
        SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
        FROM posts
        WHERE posts.id = NEW.post_id
    )
    WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
END;

CREATE TRIGGER post_tags_update_take_public_at AFTER UPDATE OF post_id ON post_tags
BEGIN
    UPDATE post_tags SET public_at = (
        SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END
        FROM posts
        WHERE posts.id = NEW.post_id
    )
    WHERE post_id = NEW.post_id AND tag_id = NEW.tag_id;
END;

-- A post passes a change of what makes it public on to its links.
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
