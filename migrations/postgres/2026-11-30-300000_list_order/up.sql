-- Admin lists show posts never dated first, then the newest first: that
-- order as one column, so that one index serves it and a deep page can
-- seek to its first post instead of counting past every post before it.
-- The far date stands for "never dated"; no accepted date reaches it.
ALTER TABLE posts ADD COLUMN listed_at TIMESTAMP
    GENERATED ALWAYS AS (COALESCE(published_at, TIMESTAMP '9999-12-31 23:59:59')) STORED;

CREATE INDEX posts_admin_order ON posts (listed_at DESC, id DESC) WHERE deleted_at IS NULL;
