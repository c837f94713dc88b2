-- What each committed transaction did to the tag counts, written by triggers
-- in that transaction, so that a server keeping the counts in memory brings
-- them up to date by applying what changed instead of counting every link
-- again. One row is one change:
--   tag_id, posts = +1/-1, public_at: a link whose post is not trashed was
--     added to or removed from the tag; it is visible from public_at on
--     (NULL: never, a draft);
--   tag_id NULL: the same for a post itself (how many posts are visible,
--     and where each post is in the lists);
--   posts = 0: the tag's row was created, changed or deleted.
--
-- Sequence order is not commit order, so each row carries the writing
-- transaction's id: a reader that has applied every row visible in one
-- snapshot reads next the rows from that snapshot's xmin on (every
-- transaction below it had finished, so its rows were in the snapshot),
-- skipping the ones it has applied.
CREATE TABLE count_deltas (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid      BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    logged_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    tag_id    BIGINT,
    post_id   BIGINT,
    posts     SMALLINT NOT NULL CHECK (posts BETWEEN -1 AND 1),
    public_at TIMESTAMP,
    -- A post's own row: its date, published or not (where admin lists put it).
    published_at TIMESTAMP
);
CREATE INDEX count_deltas_by_txid ON count_deltas (txid);

-- Old rows are deleted; a reader whose position is below pruned_below may
-- have missed some, and counts afresh. resets grows when the log cannot
-- tell what happened (a TRUNCATE): every reader counts afresh.
CREATE TABLE count_deltas_horizon (
    only_row     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    pruned_below BIGINT NOT NULL DEFAULT 0,
    resets       BIGINT NOT NULL DEFAULT 0
);
INSERT INTO count_deltas_horizon DEFAULT VALUES;

-- Each link carries, beside public_at, whether its post is not trashed:
-- everything its tag's counts need, also once the post is gone.
ALTER TABLE post_tags ADD COLUMN counted BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE post_tags SET counted = FALSE
FROM posts
WHERE posts.id = post_tags.post_id AND posts.deleted_at IS NOT NULL;
SET CONSTRAINTS ALL IMMEDIATE;

CREATE OR REPLACE FUNCTION post_tags_take_public_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN status = 'published' AND deleted_at IS NULL THEN published_at END,
           deleted_at IS NULL
    INTO NEW.public_at, NEW.counted
    FROM posts
    WHERE id = NEW.post_id;
    RETURN NEW;
END
$$;

DROP TRIGGER post_tags_take_public_at ON post_tags;
CREATE TRIGGER post_tags_take_public_at
    BEFORE INSERT OR UPDATE OF post_id, public_at, counted ON post_tags
    FOR EACH ROW EXECUTE FUNCTION post_tags_take_public_at();

CREATE OR REPLACE FUNCTION posts_share_public_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_tags
    SET public_at = CASE
            WHEN NEW.status = 'published' AND NEW.deleted_at IS NULL THEN NEW.published_at
        END,
        counted = NEW.deleted_at IS NULL
    WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;

-- A link's part in its tag's counts, taken away and given.
CREATE FUNCTION post_tags_log_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.tag_id, OLD.counted, OLD.public_at)
           IS NOT DISTINCT FROM (NEW.tag_id, NEW.counted, NEW.public_at) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.counted THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at)
            VALUES (OLD.tag_id, OLD.post_id, -1, OLD.public_at);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.counted THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at)
            VALUES (NEW.tag_id, NEW.post_id, 1, NEW.public_at);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER post_tags_log_delta
    AFTER INSERT OR UPDATE OR DELETE ON post_tags
    FOR EACH ROW EXECUTE FUNCTION post_tags_log_delta();

-- A post's own part: how many posts are visible, and when.
CREATE FUNCTION posts_log_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.deleted_at IS NULL THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
            VALUES (NULL, OLD.id, -1,
                    CASE WHEN OLD.status = 'published' THEN OLD.published_at END,
                    OLD.published_at);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO count_deltas (tag_id, post_id, posts, public_at, published_at)
            VALUES (NULL, NEW.id, 1,
                    CASE WHEN NEW.status = 'published' THEN NEW.published_at END,
                    NEW.published_at);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_log_delta
    AFTER INSERT OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_log_delta();

CREATE TRIGGER posts_visibility_log_delta
    AFTER UPDATE OF status, published_at, deleted_at ON posts
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION posts_log_delta();

-- A tag's row: the reader reads it again.
CREATE FUNCTION tags_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO count_deltas (tag_id, posts) VALUES (OLD.id, 0);
    ELSE
        INSERT INTO count_deltas (tag_id, posts) VALUES (NEW.id, 0);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tags_log_change
    AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION tags_log_change();

-- TRUNCATE logs no rows: every reader counts afresh.
CREATE FUNCTION count_deltas_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE count_deltas_horizon SET resets = resets + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_truncate_reset AFTER TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION count_deltas_reset();
CREATE TRIGGER post_tags_truncate_reset AFTER TRUNCATE ON post_tags
    FOR EACH STATEMENT EXECUTE FUNCTION count_deltas_reset();
CREATE TRIGGER tags_truncate_reset AFTER TRUNCATE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION count_deltas_reset();
CREATE TRIGGER count_deltas_truncate_reset AFTER TRUNCATE ON count_deltas
    FOR EACH STATEMENT EXECUTE FUNCTION count_deltas_reset();
