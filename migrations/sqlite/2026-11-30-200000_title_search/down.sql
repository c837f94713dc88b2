DROP TRIGGER posts_update_title;
DROP TRIGGER posts_delete_title;
DROP TRIGGER posts_insert_title;
DROP TABLE post_titles;
