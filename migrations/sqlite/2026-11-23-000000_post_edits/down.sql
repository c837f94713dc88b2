DROP TRIGGER posts_edit;
ALTER TABLE count_changes DROP COLUMN edits;
