DROP TRIGGER posts_author_count_change ON posts;
