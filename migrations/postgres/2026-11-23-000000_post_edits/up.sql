-- Edits to posts that change no count (a title, a body, an excerpt, a slug)
-- are summed apart, so that pages of posts can be kept in memory as the
-- counts are, without an edit forcing a recount: pages are used while both
-- sums are unchanged.
ALTER TABLE count_changes ADD COLUMN edits BIGINT NOT NULL DEFAULT 0;

-- As count_change(): once per transaction, at commit, on the writer's row.
CREATE FUNCTION record_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('blog.recorded_edit', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('blog.recorded_edit', 'on', true);
        UPDATE count_changes SET edits = edits + 1 WHERE shard = pg_backend_pid() % 64;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER posts_edit
    AFTER UPDATE ON posts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION record_edit();
