-- The slugs tags and posts had before: a request for one is redirected to
-- where the tag or post is now. Each old slug belongs to the last tag (or
-- post) that had it; a tag or post that has it now wins over it.
CREATE TABLE tag_old_slugs (
    slug     TEXT COLLATE "C" PRIMARY KEY,
    tag_id   BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    -- Whether the slug was an internal tag's: the public is never led from
    -- it, whatever the tag is now.
    internal BOOLEAN NOT NULL
);
CREATE INDEX tag_old_slugs_by_tag ON tag_old_slugs (tag_id);

CREATE TABLE post_old_slugs (
    slug    TEXT COLLATE "C" PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX post_old_slugs_by_post ON post_old_slugs (post_id);

CREATE FUNCTION tags_keep_old_slug() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_old_slugs (slug, tag_id, internal)
        VALUES (OLD.slug, NEW.id, starts_with(OLD.name, '#'))
        ON CONFLICT (slug) DO UPDATE SET tag_id = EXCLUDED.tag_id, internal = EXCLUDED.internal;
    RETURN NULL;
END $$;

CREATE TRIGGER tags_keep_old_slug
    AFTER UPDATE OF slug ON tags
    FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION tags_keep_old_slug();

CREATE FUNCTION posts_keep_old_slug() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_old_slugs (slug, post_id) VALUES (OLD.slug, NEW.id)
        ON CONFLICT (slug) DO UPDATE SET post_id = EXCLUDED.post_id;
    RETURN NULL;
END $$;

CREATE TRIGGER posts_keep_old_slug
    AFTER UPDATE OF slug ON posts
    FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION posts_keep_old_slug();
