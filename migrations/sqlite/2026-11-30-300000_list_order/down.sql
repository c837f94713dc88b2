DROP INDEX posts_admin_order;
ALTER TABLE posts DROP COLUMN listed_at;
