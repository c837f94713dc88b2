DROP TRIGGER posts_edit ON posts;
DROP FUNCTION record_edit();
ALTER TABLE count_changes DROP COLUMN edits;
