-- Posts show their author's name and slug: renaming a user, or changing
-- their slug, changes what remembered posts and pages show.
CREATE TRIGGER users_post_edit AFTER UPDATE OF name, slug ON users
WHEN OLD.name IS NOT NEW.name OR OLD.slug IS NOT NEW.slug
BEGIN
    UPDATE change_counters SET post_edits = post_edits + 1;
END;
