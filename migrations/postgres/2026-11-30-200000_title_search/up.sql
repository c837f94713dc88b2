-- `q` finds posts whose title holds a case-insensitive substring:
-- lower(title) LIKE '%…%'. A trigram index answers that from the index for
-- a term of three characters or more, however many posts there are.
-- (pg_trgm is a trusted extension: the database's owner may create it.)
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX posts_title_trigrams ON posts USING gin (lower(title) gin_trgm_ops);
