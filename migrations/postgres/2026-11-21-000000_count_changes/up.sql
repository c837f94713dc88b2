-- Every committed transaction that can change a tag's counts, or a tag
-- itself, adds one to a row of this table. A server keeps the tag counts in
-- memory with the sum it read alongside them, and trusts them only while the
-- sum is unchanged: one cheap query tells whether any instance on this
-- database has written since.
--
-- A writer adds to one of 64 rows, chosen by its backend process, so that
-- concurrent commits seldom wait for each other's row lock.
CREATE TABLE count_changes (
    shard   BIGINT PRIMARY KEY,
    changes BIGINT NOT NULL DEFAULT 0
);
INSERT INTO count_changes (shard) SELECT generate_series(0, 63);

-- Runs at commit (the triggers are deferred), so the row lock is taken after
-- every other lock of the transaction and held only while it commits: it
-- cannot take part in a deadlock. Counts once per transaction, however many
-- rows it wrote.
CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('blog.counted_change', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('blog.counted_change', 'on', true);
        UPDATE count_changes SET changes = changes + 1 WHERE shard = pg_backend_pid() % 64;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER posts_count_change
    AFTER INSERT OR DELETE ON posts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_change();

-- Only what decides whether a post is counted, and where.
CREATE CONSTRAINT TRIGGER posts_visibility_count_change
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION count_change();

CREATE CONSTRAINT TRIGGER post_tags_count_change
    AFTER INSERT OR UPDATE OR DELETE ON post_tags
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_change();

CREATE CONSTRAINT TRIGGER tags_count_change
    AFTER INSERT OR UPDATE OR DELETE ON tags
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_change();

-- TRUNCATE fires no row trigger; it takes an exclusive lock anyway, so
-- counting it at once costs nothing.
CREATE TRIGGER posts_truncate_count_change AFTER TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION count_change();
CREATE TRIGGER post_tags_truncate_count_change AFTER TRUNCATE ON post_tags
    FOR EACH STATEMENT EXECUTE FUNCTION count_change();
CREATE TRIGGER tags_truncate_count_change AFTER TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION count_change();
