DROP TRIGGER posts_keep_old_slug ON posts;
DROP FUNCTION posts_keep_old_slug();
DROP TRIGGER tags_keep_old_slug ON tags;
DROP FUNCTION tags_keep_old_slug();
DROP TABLE post_old_slugs;
DROP TABLE tag_old_slugs;
