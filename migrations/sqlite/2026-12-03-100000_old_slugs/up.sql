-- The slugs tags and posts had before: a request for one is redirected to
-- where the tag or post is now. Each old slug belongs to the last tag (or
-- post) that had it; a tag or post that has it now wins over it.
CREATE TABLE tag_old_slugs (
    slug     TEXT PRIMARY KEY,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    -- Whether the slug was an internal tag's: the public is never led from
    -- it, whatever the tag is now.
    internal BOOLEAN NOT NULL
) WITHOUT ROWID;
CREATE INDEX tag_old_slugs_by_tag ON tag_old_slugs (tag_id);

CREATE TABLE post_old_slugs (
    slug    TEXT PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX post_old_slugs_by_post ON post_old_slugs (post_id);

CREATE TRIGGER tags_keep_old_slug AFTER UPDATE OF slug ON tags
    WHEN OLD.slug IS NOT NEW.slug
BEGIN
    INSERT INTO tag_old_slugs (slug, tag_id, internal)
        VALUES (OLD.slug, NEW.id, substr(OLD.name, 1, 1) = '#')
        ON CONFLICT (slug) DO UPDATE SET tag_id = excluded.tag_id, internal = excluded.internal;
END;

CREATE TRIGGER posts_keep_old_slug AFTER UPDATE OF slug ON posts
    WHEN OLD.slug IS NOT NEW.slug
BEGIN
    INSERT INTO post_old_slugs (slug, post_id) VALUES (OLD.slug, NEW.id)
        ON CONFLICT (slug) DO UPDATE SET post_id = excluded.post_id;
END;
