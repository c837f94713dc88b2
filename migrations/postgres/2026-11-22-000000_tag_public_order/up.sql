-- Each link between a post and a tag carries the post's place in public
-- lists: its published_at while it is published and not deleted, else NULL.
-- A tag's public page is then one range of an index, newest first, instead
-- of a walk over every post probing each for the tag. Triggers keep the
-- copy exact whoever writes, in SQL included.
ALTER TABLE post_tags ADD COLUMN public_at TIMESTAMP;

UPDATE post_tags SET public_at = posts.published_at
FROM posts
WHERE posts.id = post_tags.post_id
  AND posts.status = 'published'
  AND posts.deleted_at IS NULL;
-- Runs the count-change triggers the update queued, which would otherwise
-- forbid the index below until commit.
SET CONSTRAINTS ALL IMMEDIATE;

CREATE INDEX post_tags_public_order ON post_tags (tag_id, public_at DESC, post_id DESC)
    WHERE public_at IS NOT NULL;

-- A link takes its post's value when it is written.
CREATE FUNCTION post_tags_take_public_at() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- A post passes a change of what makes it public on to its links.
CREATE FUNCTION posts_share_public_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_tags
    SET public_at = CASE
        WHEN NEW.status = 'published' AND NEW.deleted_at IS NULL THEN NEW.published_at
    END
    WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_share_public_at
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION posts_share_public_at();
