//! The statements behind post lists and tag pages: which posts match, in
//! which order, a page at a time, with their total.

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::prelude::*;
use diesel::query_dsl::methods;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use super::change_counters::COUNT_CHANGES_SQL;
use super::conn::DbConn;
use super::posts::author_columns;
use super::sql::{escape_like, unicode_lower};
use super::url::Backend;
pub use super::visibility::Owner;
use super::visibility::{published_untrashed, scheduled, seen_by_owner, visible};
use crate::domain::page::PageRequest;
use crate::models::{AuthorRow, PostRow, PostStatus};
use crate::on_backend;
use crate::schema::{post_tags, post_titles, posts, users};

/// Which posts a list shows, by their state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusFilter {
    /// Every post that is not trashed.
    #[default]
    All,
    Draft,
    /// Visible now.
    Published,
    /// Published with `published_at` still in the future.
    Scheduled,
    /// In the trash.
    Deleted,
}

impl StatusFilter {
    /// Every filter by name, as a request gives it.
    pub const NAMES: [&'static str; 5] = ["draft", "published", "scheduled", "deleted", "all"];

    pub fn named(name: &str) -> Option<Self> {
        Some(match name {
            "draft" => StatusFilter::Draft,
            "published" => StatusFilter::Published,
            "scheduled" => StatusFilter::Scheduled,
            "deleted" => StatusFilter::Deleted,
            "all" => StatusFilter::All,
            _ => return None,
        })
    }
}

/// How the posts that carry a list's `all_tags` are found, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagWalk {
    /// Walk this tag's links to visible posts in public order (one range of
    /// an index), checking each post for the other tags. For public lists;
    /// the rarest tag has the fewest links to walk.
    PublicLinksOf(i64),
    /// Find the posts by their tags: by gathering the posts of each tag and
    /// sorting them, or by walking the posts newest first and checking each
    /// for the tags, whichever is cheaper. PostgreSQL's planner weighs the
    /// two itself; SQLite's cannot, and walks when the caller's estimate
    /// (from the tags' counts) says walking is cheaper.
    ByTags { newest_first_is_cheaper: bool },
}

impl Default for TagWalk {
    fn default() -> Self {
        TagWalk::ByTags {
            newest_first_is_cheaper: false,
        }
    }
}

/// How a statement finds a list's tagged posts on its backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    PublicLinksOf(i64),
    /// Each tag's posts gathered (`id IN (…)`), sorted.
    Gather,
    /// The newest posts walked, each probed for the tags (`EXISTS`).
    NewestPosts,
}

impl Walk {
    fn on(backend: Backend, walk: TagWalk) -> Self {
        match walk {
            TagWalk::PublicLinksOf(tag_id) => Walk::PublicLinksOf(tag_id),
            TagWalk::ByTags {
                newest_first_is_cheaper: true,
            } if backend == Backend::Sqlite => Walk::NewestPosts,
            TagWalk::ByTags { .. } => Walk::Gather,
        }
    }
}

/// Which posts a list shows, its tags given by id, and how to find them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MatchingPosts {
    pub status: StatusFilter,
    /// Tags the post must all have.
    pub all_tags: Vec<i64>,
    /// Tags the post must have at least one of (when not empty).
    pub any_tags: Vec<i64>,
    /// Tags the post must have none of.
    pub none_tags: Vec<i64>,
    /// Case-insensitive substring of the title (already lower-cased).
    pub title_contains: Option<String>,
    /// Only this user's posts.
    pub owner: Option<Owner>,
    /// Posts by any of these users (slugs), when not empty.
    pub author_slugs: Vec<String>,
    pub tag_walk: TagWalk,
}

/// Whether the page's statement counts the matches too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// The caller knows the total.
    No,
    /// `count(*) OVER ()`, and the committed `count_changes` it was
    /// counted at.
    WithPage,
    /// In a statement of its own. For a title search: counted with the
    /// page, every match would have to be read before the first twenty
    /// (on PostgreSQL, a walk of every post); apart, the page stops at
    /// twenty and the count reads the matches from the search index. The
    /// same for one user's posts: the count reads ids alone.
    Apart,
}

/// Where a post is in a list's order: its date (`published_at` in the
/// public order, `listed_at` in the admin's), then its id.
pub type ListKey = (NaiveDateTime, i64);

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// After as many matching posts as the pages before it hold.
    Offset,
    /// At this post's key in the list's order, and on.
    Seek(ListKey),
}

/// A page of matching posts with their authors, and what was counted with
/// it.
#[derive(Debug)]
pub struct PageOfPosts {
    pub posts: Vec<(PostRow, AuthorRow)>,
    /// How many posts match, when counted.
    pub total: Option<i64>,
    /// The committed `count_changes` the total was counted at.
    pub counted_at: Option<i64>,
}

// Links looked up beside the ones a list walks.
diesel::alias!(post_tags as other_links: OtherLinks);

/// Not in the trash.
#[dsl::auto_type]
fn untrashed() -> _ {
    posts::deleted_at.is_null()
}

#[dsl::auto_type]
fn trashed() -> _ {
    posts::deleted_at.is_not_null()
}

#[dsl::auto_type]
fn draft() -> _ {
    let draft: PostStatus = PostStatus::Draft;
    let untrashed: untrashed = untrashed();
    posts::status.eq(draft).and(untrashed)
}

/// By any of the users with these slugs.
#[dsl::auto_type]
fn by_any_of(slugs: Vec<String>) -> _ {
    posts::author_id.eq_any(
        users::table
            .filter(users::slug.eq_any(slugs))
            .select(users::id),
    )
}

/// Among the posts that carry the tag: gathered from the tag's links.
#[dsl::auto_type]
fn among_posts_of(tag_id: i64) -> _ {
    posts::id.eq_any(
        other_links
            .filter(other_links.field(post_tags::tag_id).eq(tag_id))
            .select(other_links.field(post_tags::post_id)),
    )
}

/// Carries the tag: probed for each post walked.
#[dsl::auto_type]
fn carries(tag_id: i64) -> _ {
    dsl::exists(
        other_links
            .filter(other_links.field(post_tags::post_id).eq(posts::id))
            .filter(other_links.field(post_tags::tag_id).eq(tag_id)),
    )
}

#[dsl::auto_type]
fn carries_any(tag_ids: Vec<i64>) -> _ {
    posts::id.eq_any(
        other_links
            .filter(other_links.field(post_tags::tag_id).eq_any(tag_ids))
            .select(other_links.field(post_tags::post_id)),
    )
}

/// Carries none of the tags: probed for each post, so that a list walked
/// newest first stops at its page.
#[dsl::auto_type]
fn carries_none(tag_ids: Vec<i64>) -> _ {
    dsl::not(dsl::exists(
        other_links
            .filter(other_links.field(post_tags::post_id).eq(posts::id))
            .filter(other_links.field(post_tags::tag_id).eq_any(tag_ids)),
    ))
}

/// SQLite: among the posts whose titles the trigram index finds `phrase`
/// in (an FTS5 phrase: the substring, quoted).
type TitlesHolding = dsl::EqAny<
    posts::id,
    dsl::Select<
        dsl::Filter<
            post_titles::table,
            UncheckedBind<SqlLiteral<Bool>, dsl::AsExprOf<String, Text>>,
        >,
        post_titles::rowid,
    >,
>;

fn titles_holding(term: &str) -> TitlesHolding {
    let phrase = format!("\"{}\"", term.replace('"', "\"\""));
    let matching = dsl::sql::<Bool>("post_titles MATCH ").bind::<Text, _>(phrase);
    posts::id.eq_any(
        post_titles::table
            .filter(matching)
            .select(post_titles::rowid),
    )
}

/// Whether the trigram index can find a term: it holds runs of three
/// characters.
fn trigram_index_finds(term: &str) -> bool {
    term.chars().nth(2).is_some()
}

/// The title matches a `LIKE` pattern, whatever the case.
type TitleLike = dsl::Escape<dsl::Like<unicode_lower<posts::title>, String>>;

fn title_like(pattern: String) -> TitleLike {
    unicode_lower(posts::title).like(pattern).escape('\\')
}

/// `query` narrowed to the matching posts. The walked tag, if any, is the
/// query's own: its links are what `query` reads.
fn filter_matching<Q>(
    query: Q,
    matching: &MatchingPosts,
    walk: Walk,
    backend: Backend,
    now: NaiveDateTime,
) -> Q
where
    Q: methods::FilterDsl<untrashed, Output = Q>
        + methods::FilterDsl<draft, Output = Q>
        + methods::FilterDsl<visible, Output = Q>
        + methods::FilterDsl<scheduled, Output = Q>
        + methods::FilterDsl<trashed, Output = Q>
        + methods::FilterDsl<among_posts_of, Output = Q>
        + methods::FilterDsl<carries, Output = Q>
        + methods::FilterDsl<carries_any, Output = Q>
        + methods::FilterDsl<carries_none, Output = Q>
        + methods::FilterDsl<seen_by_owner, Output = Q>
        + methods::FilterDsl<by_any_of, Output = Q>
        + methods::FilterDsl<TitleLike, Output = Q>
        + methods::FilterDsl<TitlesHolding, Output = Q>,
{
    let mut query = match matching.status {
        StatusFilter::All => methods::FilterDsl::filter(query, untrashed()),
        StatusFilter::Draft => methods::FilterDsl::filter(query, draft()),
        StatusFilter::Published => methods::FilterDsl::filter(query, visible(now)),
        StatusFilter::Scheduled => methods::FilterDsl::filter(query, scheduled(now)),
        StatusFilter::Deleted => methods::FilterDsl::filter(query, trashed()),
    };
    if let Some(owner) = matching.owner {
        query = methods::FilterDsl::filter(query, seen_by_owner(owner.user_id, owner.drafts_only));
    }
    if !matching.author_slugs.is_empty() {
        query = methods::FilterDsl::filter(query, by_any_of(matching.author_slugs.clone()));
    }
    for &tag_id in &matching.all_tags {
        query = match walk {
            Walk::PublicLinksOf(walked) if walked == tag_id => query,
            Walk::Gather => methods::FilterDsl::filter(query, among_posts_of(tag_id)),
            _ => methods::FilterDsl::filter(query, carries(tag_id)),
        };
    }
    if !matching.any_tags.is_empty() {
        query = methods::FilterDsl::filter(query, carries_any(matching.any_tags.clone()));
    }
    if !matching.none_tags.is_empty() {
        query = methods::FilterDsl::filter(query, carries_none(matching.none_tags.clone()));
    }
    if let Some(text) = &matching.title_contains {
        // PostgreSQL's trigram index serves the LIKE itself; SQLite's is a
        // table of its own, asked first.
        if backend == Backend::Sqlite && trigram_index_finds(text) {
            query = methods::FilterDsl::filter(query, titles_holding(text));
        }
        query = methods::FilterDsl::filter(query, title_like(format!("%{}%", escape_like(text))));
    }
    query
}

/// The visible posts' links to the walked tag.
#[dsl::auto_type]
fn public_links_of(walked: i64, now: NaiveDateTime) -> _ {
    post_tags::table
        .inner_join(posts::table)
        .filter(post_tags::tag_id.eq(walked))
        .filter(post_tags::public_at.le(now))
}

/// A page of the matching posts, newest first (posts never published lead
/// an admin's list); with [`Counting::WithPage`], how many match in all, in
/// the same statement.
pub fn page(
    conn: &mut DbConn,
    matching: &MatchingPosts,
    page: PageRequest,
    start: PageStart,
    now: NaiveDateTime,
    counting: Counting,
) -> QueryResult<PageOfPosts> {
    let (total, counted_at) = match counting {
        Counting::No | Counting::Apart => ("NULL", "NULL"),
        Counting::WithPage => ("count(*) OVER ()", COUNT_CHANGES_SQL),
    };
    let backend = conn.backend();
    let walk = Walk::on(backend, matching.tag_walk);
    let rows: Vec<(PostRow, AuthorRow, Option<i64>, Option<i64>)> = on_backend!(conn, c => {
        let counted = (
            PostRow::as_select(),
            author_columns(),
            dsl::sql::<Nullable<BigInt>>(total),
            dsl::sql::<Nullable<BigInt>>(counted_at),
        );
        match walk {
            // Ordered as the index is: the same order as below.
            Walk::PublicLinksOf(walked) => {
                filter_matching(public_links_of(walked, now).into_boxed(), matching, walk, backend, now)
                    .select(counted)
                    .order_by(post_tags::public_at.desc())
                    .then_order_by(post_tags::post_id.desc())
                    .limit(page.limit())
                    .offset(page.offset())
                    .load(c)?
            }
            _ => {
                let public = matching.status == StatusFilter::Published;
                let mut query = filter_matching(posts::table.into_boxed(), matching, walk, backend, now)
                    .select(counted);
                query = match public {
                    true => query.order_by((posts::published_at.desc(), posts::id.desc())),
                    // Posts never dated lead the admin's list (`listed_at`).
                    false => query.order_by((posts::listed_at.desc(), posts::id.desc())),
                };
                let offset = match start {
                    PageStart::Offset => page.offset(),
                    PageStart::Seek((at, id)) => {
                        let column = if public { "published_at" } else { "listed_at" };
                        let at_or_after = dsl::sql::<Bool>(&format!("(posts.{column}, posts.id) <= ("))
                            .bind::<diesel::sql_types::Timestamp, _>(at)
                            .sql(", ")
                            .bind::<BigInt, _>(id)
                            .sql(")");
                        query = query.filter(at_or_after);
                        0
                    }
                };
                query.limit(page.limit()).offset(offset).load(c)?
            }
        }
    });
    let (total, counted_at) = match (rows.first(), counting) {
        (Some(&(_, _, total, counted_at)), Counting::WithPage) => (total, counted_at),
        // A page past the end has no row to carry the count.
        (_, Counting::Apart | Counting::WithPage) => {
            let (total, counted_at) = count(conn, matching, walk, now)?;
            (Some(total), Some(counted_at))
        }
        (_, Counting::No) => (None, None),
    };
    Ok(PageOfPosts {
        posts: rows
            .into_iter()
            .map(|(post, author, _, _)| (post, author))
            .collect(),
        total,
        counted_at,
    })
}

/// How many posts match, and the committed `count_changes` they were
/// counted at.
fn count(
    conn: &mut DbConn,
    matching: &MatchingPosts,
    walk: Walk,
    now: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let backend = conn.backend();
    let counted = (dsl::count_star(), dsl::sql::<BigInt>(COUNT_CHANGES_SQL));
    on_backend!(conn, c => match walk {
        Walk::PublicLinksOf(walked) => {
            filter_matching(public_links_of(walked, now).into_boxed(), matching, walk, backend, now)
                .select(counted)
                .get_result(c)
        }
        _ => filter_matching(posts::table.into_boxed(), matching, walk, backend, now)
            .select(counted)
            .get_result(c),
    })
}

/// Every post's place in the two orders lists are read in: `(published_at,
/// id)` of the published posts not trashed that have a date (the public
/// order, newest first), and `(listed_at, id)` of the posts not trashed
/// (the admin order). Each read from its own index.
pub fn orders(conn: &mut DbConn) -> QueryResult<(Vec<ListKey>, Vec<ListKey>)> {
    on_backend!(conn, c => {
        let public = posts::table
            .filter(published_untrashed())
            .filter(posts::published_at.is_not_null())
            .select((posts::published_at.assume_not_null(), posts::id))
            .order_by((posts::published_at.desc(), posts::id.desc()))
            .load(c)?;
        let admin = posts::table
            .filter(untrashed())
            .select((posts::listed_at, posts::id))
            .order_by((posts::listed_at.desc(), posts::id.desc()))
            .load(c)?;
        Ok((public, admin))
    })
}
