-- `q` finds posts whose title holds a case-insensitive substring. A
-- trigram full-text index of the titles (kept by triggers, reading the
-- titles from posts) finds the candidates for a term of three characters
-- or more, however many posts there are; the exact test is still
-- lower(title) LIKE '%…%'.
CREATE VIRTUAL TABLE post_titles USING fts5(
    title,
    content = 'posts',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO post_titles (post_titles) VALUES ('rebuild');

CREATE TRIGGER posts_insert_title AFTER INSERT ON posts
BEGIN
    INSERT INTO post_titles (rowid, title) VALUES (NEW.id, NEW.title);
END;

CREATE TRIGGER posts_delete_title AFTER DELETE ON posts
BEGIN
    INSERT INTO post_titles (post_titles, rowid, title) VALUES ('delete', OLD.id, OLD.title);
END;

CREATE TRIGGER posts_update_title AFTER UPDATE OF title ON posts
BEGIN
    INSERT INTO post_titles (post_titles, rowid, title) VALUES ('delete', OLD.id, OLD.title);
    INSERT INTO post_titles (rowid, title) VALUES (NEW.id, NEW.title);
END;
