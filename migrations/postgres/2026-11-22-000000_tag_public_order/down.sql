DROP TRIGGER posts_share_public_at ON posts;
DROP FUNCTION posts_share_public_at();
DROP TRIGGER post_tags_take_public_at ON post_tags;
DROP FUNCTION post_tags_take_public_at();
DROP INDEX post_tags_public_order;
ALTER TABLE post_tags DROP COLUMN public_at;
