DROP INDEX posts_title_trigrams;
