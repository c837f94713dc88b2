//! Atom 1.0 documents of visible posts: each entry its title, dates,
//! excerpt, author, public tags, and its Markdown body rendered to HTML and
//! sanitised (no scripts, no event handlers, no `javascript:` links).

use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, NaiveDateTime};
use pulldown_cmark::{Options, Parser, html};

use crate::models::PostWithTags;

/// Where the blog's pages are, for the links in feeds.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// `PUBLIC_BASE_URL`, without a trailing `/`.
    pub base_url: String,
    /// `POST_URL_TEMPLATE`: a post's page, `{slug}` and `{id}` filled in.
    pub post_url_template: String,
}

impl FeedSettings {
    /// The page a post is read on.
    fn post_url(&self, id: i64, slug: &str) -> String {
        let path = self
            .post_url_template
            .replace("{slug}", slug)
            .replace("{id}", &id.to_string());
        format!("{}{path}", self.base_url)
    }
}

/// What a feed is of: its title, and when it began (its `updated` while it
/// has no entry).
pub struct Channel {
    pub title: String,
    pub began: NaiveDateTime,
}

/// The feed at `path` (its own address under the base URL) of `posts`,
/// newest first.
pub fn feed(settings: &FeedSettings, path: &str, channel: Channel, posts: &[PostWithTags]) -> Feed {
    let entries: Vec<Entry> = posts.iter().map(|post| entry(settings, post)).collect();
    let updated = entries
        .iter()
        .map(|entry| entry.updated)
        .max()
        .unwrap_or_else(|| utc(channel.began));
    let own_url = format!("{}{path}", settings.base_url);
    Feed {
        title: Text::plain(xml_text(&channel.title)),
        id: own_url.clone(),
        updated,
        links: vec![
            link(own_url, "self", Some("application/atom+xml")),
            link(
                format!("{}/", settings.base_url),
                "alternate",
                Some("text/html"),
            ),
        ],
        entries,
        ..Feed::default()
    }
}

fn entry(settings: &FeedSettings, shown: &PostWithTags) -> Entry {
    let post = &shown.post;
    let published = post.published_at.unwrap_or(post.created_at);
    Entry {
        title: Text::plain(xml_text(&post.title)),
        // Permanent, whatever the post's slug becomes.
        id: format!("{}/api/v1/posts/{}", settings.base_url, post.id),
        updated: utc(post.updated_at.max(published)),
        published: Some(utc(published)),
        authors: vec![Person {
            name: xml_text(&shown.author.name),
            ..Person::default()
        }],
        categories: shown
            .tags
            .iter()
            .filter(|tag| tag.visibility().is_seen(false))
            .map(|tag| Category {
                term: tag.slug.clone(),
                label: Some(xml_text(&tag.name)),
                ..Category::default()
            })
            .collect(),
        links: vec![link(
            settings.post_url(post.id, &post.slug),
            "alternate",
            Some("text/html"),
        )],
        summary: post
            .excerpt
            .as_deref()
            .map(|excerpt| Text::plain(xml_text(excerpt))),
        content: Some(Content {
            value: Some(xml_text(&safe_html(&post.body))),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        ..Entry::default()
    }
}

/// Text as XML 1.0 may hold it: without the control characters it forbids,
/// which a post may hold but which would make a reader refuse the feed.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                || c >= '\u{10000}'
        })
        .collect()
}

fn link(href: String, rel: &str, mime_type: Option<&str>) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: mime_type.map(Into::into),
        ..Link::default()
    }
}

fn utc(time: NaiveDateTime) -> FixedDateTime {
    DateTime::from_naive_utc_and_offset(time, chrono::FixedOffset::east_opt(0).expect("UTC"))
}

/// Markdown to HTML that a feed reader may show as it is: whatever HTML
/// the Markdown holds passes through `ammonia`'s allow-list.
pub fn safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    ammonia::clean(&rendered)
}

#[cfg(test)]
mod tests {
    use super::{safe_html, xml_text};

    #[test]
    fn text_loses_what_xml_forbids() {
        assert_eq!(
            xml_text("a\u{1}b\u{c}c\u{fffe}\td\u{1f600}"),
            "abc\td\u{1f600}"
        );
    }

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(
            safe_html("# Hello\n\nSome *Rust* and [a link](https://example.com)."),
            "<h1>Hello</h1>\n<p>Some <em>Rust</em> and \
             <a href=\"https://example.com\" rel=\"noopener noreferrer\">a link</a>.</p>\n"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_taken_out() {
        let html = safe_html(
            "<script>alert(1)</script>\n\n<img src=\"x.png\" onerror=\"alert(2)\">\n\n\
             [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">here</a>\n\n\
             <iframe src=\"https://evil.example\"></iframe>",
        );
        for banned in ["<script", "alert(1)", "onerror", "javascript:", "<iframe"] {
            assert!(!html.contains(banned), "{banned} in {html}");
        }
        assert!(html.contains("<img src=\"x.png\">"), "{html}");
    }
}
