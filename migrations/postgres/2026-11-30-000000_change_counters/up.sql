-- The counters say what they count: per shard, the committed transactions
-- that could change a tag count (count_changes), and those that changed a
-- post row (post_edits).
ALTER TABLE count_changes RENAME TO change_counters;
ALTER TABLE change_counters RENAME COLUMN changes TO count_changes;
ALTER TABLE change_counters RENAME COLUMN edits TO post_edits;

CREATE OR REPLACE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('blog.counted_change', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('blog.counted_change', 'on', true);
        UPDATE change_counters SET count_changes = count_changes + 1
        WHERE shard = pg_backend_pid() % 64;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION record_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('blog.recorded_edit', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('blog.recorded_edit', 'on', true);
        UPDATE change_counters SET post_edits = post_edits + 1
        WHERE shard = pg_backend_pid() % 64;
    END IF;
    RETURN NULL;
END
$$;
