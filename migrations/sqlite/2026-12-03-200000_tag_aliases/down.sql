DROP TRIGGER tag_aliases_key_free;
DROP TRIGGER tags_rename_key_free;
DROP TRIGGER tags_insert_key_free;
DROP TRIGGER tag_aliases_update_list;
DROP TRIGGER tag_aliases_delete_list;
DROP TRIGGER tag_aliases_insert_list;
ALTER TABLE tags DROP COLUMN alias_names;
DROP TABLE tag_aliases;
