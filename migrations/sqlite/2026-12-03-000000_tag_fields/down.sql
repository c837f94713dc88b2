ALTER TABLE tags DROP COLUMN meta_description;
ALTER TABLE tags DROP COLUMN meta_title;
ALTER TABLE tags DROP COLUMN accent_color;
ALTER TABLE tags DROP COLUMN feature_image;
