-- The counters say what they count: the committed transactions that could
-- change a tag count (count_changes), and those that changed a post row
-- (post_edits). SQLite rewrites the triggers that name them.
ALTER TABLE count_changes RENAME TO change_counters;
ALTER TABLE change_counters RENAME COLUMN changes TO count_changes;
ALTER TABLE change_counters RENAME COLUMN edits TO post_edits;
