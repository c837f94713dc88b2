DROP TRIGGER posts_share_public_at;
DROP TRIGGER post_tags_update_take_public_at;
DROP TRIGGER post_tags_insert_take_public_at;
DROP INDEX post_tags_public_order;
ALTER TABLE post_tags DROP COLUMN public_at;
