-- Which posts a user wrote decides the totals of lists filtered by author:
-- giving a post to another user is a count change.
CREATE TRIGGER posts_author_count_change AFTER UPDATE OF author_id ON posts
WHEN OLD.author_id IS NOT NEW.author_id
BEGIN
    UPDATE change_counters SET count_changes = count_changes + 1;
END;
