ALTER TABLE change_counters RENAME COLUMN post_edits TO edits;
ALTER TABLE change_counters RENAME COLUMN count_changes TO changes;
ALTER TABLE change_counters RENAME TO count_changes;
