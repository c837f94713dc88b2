-- Other names of a tag: get-or-create resolves them to it. A key (a
-- normalised, lower-cased name) is either one tag's name or one alias.
CREATE TABLE tag_aliases (
    name_key   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX tag_aliases_by_tag ON tag_aliases (tag_id);

-- The tag's aliases as its rows are read (a JSON array of names, by key),
-- kept by the triggers below: every read of a tag has them, and changing
-- them changes the tag's row, which the count deltas log for every reader.
ALTER TABLE tags ADD COLUMN alias_names TEXT NOT NULL DEFAULT '[]';

CREATE TRIGGER tag_aliases_insert_list AFTER INSERT ON tag_aliases
BEGIN
    UPDATE tags SET alias_names = (
        SELECT json_group_array(name) FROM (
            SELECT name FROM tag_aliases WHERE tag_id = NEW.tag_id ORDER BY name_key))
    WHERE id = NEW.tag_id;
END;

CREATE TRIGGER tag_aliases_delete_list AFTER DELETE ON tag_aliases
BEGIN
    UPDATE tags SET alias_names = (
        SELECT json_group_array(name) FROM (
            SELECT name FROM tag_aliases WHERE tag_id = OLD.tag_id ORDER BY name_key))
    WHERE id = OLD.tag_id;
END;

CREATE TRIGGER tag_aliases_update_list AFTER UPDATE ON tag_aliases
BEGIN
    UPDATE tags SET alias_names = (
        SELECT json_group_array(name) FROM (
            SELECT name FROM tag_aliases WHERE tag_id = tags.id ORDER BY name_key))
    WHERE id IN (OLD.tag_id, NEW.tag_id);
END;

-- A key is a tag's name or an alias, never both. Writers take turns on
-- SQLite, so what the service checks holds; these say so in the schema.
-- A new tag whose name is an alias is skipped, as a conflict is.
CREATE TRIGGER tags_insert_key_free BEFORE INSERT ON tags
    WHEN EXISTS (SELECT 1 FROM tag_aliases WHERE name_key = NEW.name_key)
BEGIN
    SELECT RAISE(IGNORE);
END;

CREATE TRIGGER tags_rename_key_free BEFORE UPDATE OF name_key ON tags
    WHEN NEW.name_key IS NOT OLD.name_key
     AND EXISTS (SELECT 1 FROM tag_aliases WHERE name_key = NEW.name_key)
BEGIN
    SELECT RAISE(ABORT, 'the name is an alias of a tag');
END;

CREATE TRIGGER tag_aliases_key_free BEFORE INSERT ON tag_aliases
    WHEN EXISTS (SELECT 1 FROM tags WHERE name_key = NEW.name_key)
BEGIN
    SELECT RAISE(ABORT, 'the alias is the name of a tag');
END;
