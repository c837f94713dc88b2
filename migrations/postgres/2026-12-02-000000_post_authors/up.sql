-- Posts show their author's name and slug: renaming a user, or changing
-- their slug, changes what remembered posts and pages show.
CREATE CONSTRAINT TRIGGER users_post_edit
    AFTER UPDATE OF name, slug ON users
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION record_edit();
