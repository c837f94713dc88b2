-- What a tag page shows beside its posts. Validated by the service: an
-- absolute http(s) URL, a `#rrggbb` colour, bounded lengths.
ALTER TABLE tags
    ADD COLUMN feature_image    TEXT,
    ADD COLUMN accent_color     TEXT,
    ADD COLUMN meta_title       TEXT,
    ADD COLUMN meta_description TEXT;
