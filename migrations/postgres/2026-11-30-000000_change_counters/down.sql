ALTER TABLE change_counters RENAME COLUMN post_edits TO edits;
ALTER TABLE change_counters RENAME COLUMN count_changes TO changes;
ALTER TABLE change_counters RENAME TO count_changes;

CREATE OR REPLACE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('blog.counted_change', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('blog.counted_change', 'on', true);
        UPDATE count_changes SET changes = changes + 1 WHERE shard = pg_backend_pid() % 64;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION record_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('blog.recorded_edit', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('blog.recorded_edit', 'on', true);
        UPDATE count_changes SET edits = edits + 1 WHERE shard = pg_backend_pid() % 64;
    END IF;
    RETURN NULL;
END
$$;
