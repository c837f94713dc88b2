-- Edits to posts that change no count (a title, a body, an excerpt, a slug)
-- are summed apart, so that pages of posts can be kept in memory as the
-- counts are, without an edit forcing a recount: pages are used while both
-- sums are unchanged.
ALTER TABLE count_changes ADD COLUMN edits INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER posts_edit AFTER UPDATE ON posts
BEGIN
    UPDATE count_changes SET edits = edits + 1;
END;
