DROP TRIGGER tags_truncate_count_change ON tags;
DROP TRIGGER post_tags_truncate_count_change ON post_tags;
DROP TRIGGER posts_truncate_count_change ON posts;
DROP TRIGGER tags_count_change ON tags;
DROP TRIGGER post_tags_count_change ON post_tags;
DROP TRIGGER posts_visibility_count_change ON posts;
DROP TRIGGER posts_count_change ON posts;
DROP FUNCTION count_change();
DROP TABLE count_changes;
