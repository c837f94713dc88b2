-- People: staff users with a role, their credentials (sessions and
-- personal keys, stored only as SHA-256 digests of the tokens), failed
-- sign-ins (counted here so that every process agrees on a lock-out), and
-- the author of every post.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    -- As given, and lower-cased: the identity of an email address.
    email         TEXT,
    email_key     TEXT UNIQUE,
    role          TEXT NOT NULL
                  CHECK (role IN ('contributor', 'author', 'editor', 'administrator')),
    bio           TEXT,
    -- Argon2id, in the PHC string format; NULL: no password sign-in.
    password_hash TEXT,
    -- The owner: created here, cannot be deleted or lose its role, and is
    -- who the operator's ADMIN_TOKEN authenticates as.
    is_owner      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_one_owner ON users (is_owner) WHERE is_owner;

-- The owner is user 1, on both backends.
INSERT INTO users (id, name, slug, role, is_owner, created_at, updated_at)
VALUES (1, 'Owner', 'owner', 'administrator', TRUE,
        strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'));

-- Posts that existed before users did belong to the owner. SQLite cannot
-- add a column with a foreign key and a default, so triggers keep what the
-- key would: a post's author exists, and a user with posts stays.
ALTER TABLE posts ADD COLUMN author_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX posts_author ON posts (author_id);

CREATE TRIGGER posts_author_exists_on_insert BEFORE INSERT ON posts
WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.author_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed');
END;

CREATE TRIGGER posts_author_exists_on_update BEFORE UPDATE OF author_id ON posts
WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.author_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed');
END;

CREATE TRIGGER users_with_posts_stay BEFORE DELETE ON users
WHEN EXISTS (SELECT 1 FROM posts WHERE author_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed');
END;

CREATE TABLE credentials (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'key')),
    -- A key's name; NULL for a session.
    name         TEXT,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    -- Sessions expire; keys do not.
    expires_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX credentials_of_user ON credentials (user_id, kind);

CREATE TABLE sign_in_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    email_key TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email_key, failed_at);

-- Committed transactions that could end a credential's right to act (a
-- credential deleted, a user changed or deleted): a server remembers the
-- callers it has authenticated while this sum is unchanged, so a
-- revocation takes effect on the next request in every process.
ALTER TABLE change_counters ADD COLUMN people_changes INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER users_people_change_on_update AFTER UPDATE ON users
BEGIN
    UPDATE change_counters SET people_changes = people_changes + 1;
END;

CREATE TRIGGER users_people_change_on_delete AFTER DELETE ON users
BEGIN
    UPDATE change_counters SET people_changes = people_changes + 1;
END;

CREATE TRIGGER credentials_people_change_on_delete AFTER DELETE ON credentials
BEGIN
    UPDATE change_counters SET people_changes = people_changes + 1;
END;

-- Not on a key's last use, which changes nothing of what it may do.
CREATE TRIGGER credentials_people_change_on_update
AFTER UPDATE OF user_id, token_hash, expires_at ON credentials
BEGIN
    UPDATE change_counters SET people_changes = people_changes + 1;
END;
