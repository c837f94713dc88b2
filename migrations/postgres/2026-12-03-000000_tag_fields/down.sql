ALTER TABLE tags
    DROP COLUMN feature_image,
    DROP COLUMN accent_color,
    DROP COLUMN meta_title,
    DROP COLUMN meta_description;
