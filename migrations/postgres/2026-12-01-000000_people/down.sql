DROP TRIGGER credentials_people_change ON credentials;
DROP TRIGGER users_people_change ON users;
DROP FUNCTION record_people_change();
ALTER TABLE change_counters DROP COLUMN people_changes;
DROP TABLE sign_in_failures;
DROP TABLE credentials;
ALTER TABLE posts DROP COLUMN author_id;
DROP TABLE users;
