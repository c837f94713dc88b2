DROP TRIGGER users_post_edit;
