-- Which posts a user wrote decides the totals of lists filtered by author:
-- giving a post to another user is a count change.
CREATE CONSTRAINT TRIGGER posts_author_count_change
    AFTER UPDATE OF author_id ON posts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.author_id IS DISTINCT FROM NEW.author_id)
    EXECUTE FUNCTION count_change();
