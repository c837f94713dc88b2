-- What a tag page shows beside its posts. Validated by the service: an
-- absolute http(s) URL, a `#rrggbb` colour, bounded lengths.
ALTER TABLE tags ADD COLUMN feature_image TEXT;
ALTER TABLE tags ADD COLUMN accent_color TEXT;
ALTER TABLE tags ADD COLUMN meta_title TEXT;
ALTER TABLE tags ADD COLUMN meta_description TEXT;
