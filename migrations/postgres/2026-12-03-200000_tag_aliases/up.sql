-- Other names of a tag: get-or-create resolves them to it. A key (a
-- normalised, lower-cased name) is either one tag's name or one alias.
CREATE TABLE tag_aliases (
    name_key   TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    tag_id     BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tag_aliases_by_tag ON tag_aliases (tag_id);

-- The tag's aliases as its rows are read (a JSON array of names, by key),
-- kept by the triggers below: every read of a tag has them, and changing
-- them changes the tag's row, which the count deltas log for every reader.
ALTER TABLE tags ADD COLUMN alias_names TEXT NOT NULL DEFAULT '[]';

CREATE FUNCTION tags_list_aliases(tag BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE tags SET alias_names = COALESCE(
        (SELECT json_agg(name ORDER BY name_key)::text FROM tag_aliases WHERE tag_id = tag),
        '[]')
    WHERE id = tag
$$;

CREATE FUNCTION tag_aliases_list() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tags_list_aliases(NEW.tag_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.tag_id <> NEW.tag_id) THEN
        PERFORM tags_list_aliases(OLD.tag_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER tag_aliases_list
    AFTER INSERT OR UPDATE OR DELETE ON tag_aliases
    FOR EACH ROW EXECUTE FUNCTION tag_aliases_list();

-- A key is a tag's name or an alias, never both, also under concurrent
-- requests: whoever takes a key holds a lock on it until commit, and the
-- other then sees what it took. A new tag whose name is an alias is
-- skipped, as a conflict is (get-or-create then finds the alias's tag); a
-- rename onto an alias, or an alias onto a name, is a unique violation.
CREATE FUNCTION tag_key_lock(key TEXT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('tag key ' || key, 0))
$$;

CREATE FUNCTION tags_key_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.name_key = NEW.name_key THEN
        RETURN NEW;
    END IF;
    PERFORM tag_key_lock(NEW.name_key);
    IF EXISTS (SELECT 1 FROM tag_aliases WHERE name_key = NEW.name_key) THEN
        IF TG_OP = 'INSERT' THEN
            RETURN NULL;
        END IF;
        RAISE unique_violation USING
            MESSAGE = 'the name is an alias of a tag',
            CONSTRAINT = 'tag_aliases_pkey';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tags_key_free
    BEFORE INSERT OR UPDATE OF name_key ON tags
    FOR EACH ROW EXECUTE FUNCTION tags_key_free();

CREATE FUNCTION tag_aliases_key_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.name_key = NEW.name_key THEN
        RETURN NEW;
    END IF;
    PERFORM tag_key_lock(NEW.name_key);
    IF EXISTS (SELECT 1 FROM tags WHERE name_key = NEW.name_key) THEN
        RAISE unique_violation USING
            MESSAGE = 'the alias is the name of a tag',
            CONSTRAINT = 'tags_name_key_key';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tag_aliases_key_free
    BEFORE INSERT OR UPDATE OF name_key ON tag_aliases
    FOR EACH ROW EXECUTE FUNCTION tag_aliases_key_free();
