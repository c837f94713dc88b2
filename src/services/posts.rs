//! Posts: create, read, list, update, trash, restore and delete.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::counts::{COMMITTED_CHANGES_SQL, Checked, Counts, PageKey, Proven, TotalKey};
use super::{Reader, ServiceError, ServiceResult, tags};
use crate::db::prepared::{EditPost, LinkTags, WithLinks};
use crate::db::sql::escape_like;
use crate::db::{Backend, DbConn, violates_unique};
use crate::domain::audience::Audience;
use crate::domain::limits::MAX_TAGS_PER_POST;
use crate::domain::page::{Page, PageRequest};
use crate::domain::patch::Patch;
use crate::domain::slug::{Slug, first_free_slug, post_slug_base};
use crate::domain::tag_name::TagName;
use crate::domain::text::PostTitle;
use crate::domain::time::now;
use crate::models::{NewPostRow, PostChangeset, PostRow, PostStatus, TagRow};
use crate::on_backend;
use crate::schema::{post_tags, posts, tags as tags_table};

/// How often a create retries after a concurrent request took the slug it
/// chose; each retry sees that request's slug and picks the next one.
const SLUG_ATTEMPTS: usize = 20;

/// A post that the public may see: published, published by now, not deleted.
#[dsl::auto_type]
pub fn visible(now: NaiveDateTime) -> _ {
    let published: PostStatus = PostStatus::Published;
    posts::status
        .eq(published)
        // A NULL date compares as unknown, which filters the post out.
        .and(posts::published_at.assume_not_null().le(now))
        .and(posts::deleted_at.is_null())
}

#[derive(Debug, Clone)]
pub struct PostWithTags {
    pub post: PostRow,
    /// In the author's order.
    pub tags: Vec<TagRow>,
}

#[derive(Debug, Clone)]
pub struct NewPost {
    pub title: PostTitle,
    pub body: String,
    pub excerpt: Option<String>,
    pub slug: Option<Slug>,
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    /// Free of duplicate keys, in the author's order.
    pub tags: Vec<TagName>,
}

pub fn create(conn: &mut DbConn, new: NewPost) -> ServiceResult<PostWithTags> {
    let now = now();
    let published_at = match (new.status, new.published_at) {
        (PostStatus::Published, None) => Some(now),
        (_, published_at) => published_at,
    };
    conn.transaction(|conn| {
        let tags = tags::get_or_create(conn, &new.tags, now)?;
        let tag_ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
        let base = match &new.slug {
            Some(slug) => slug.as_str().to_owned(),
            None => post_slug_base(&new.title),
        };
        let mut post = None;
        for attempt in 0..SLUG_ATTEMPTS {
            // Most titles are new: the base itself is tried before the
            // slugs built on it are read.
            let slug = if attempt == 0 {
                base.clone()
            } else {
                let taken = taken_slugs(conn, &base)?;
                first_free_slug(&base, taken.iter().map(String::as_str))
            };
            let row = NewPostRow {
                title: new.title.as_str(),
                slug: &slug,
                body: &new.body,
                excerpt: new.excerpt.as_deref(),
                status: new.status,
                published_at,
                created_at: now,
                updated_at: now,
            };
            match insert_post(conn, &row, &tag_ids)? {
                Some(row) => {
                    post = Some(row);
                    break;
                }
                None if new.slug.is_some() => return Err(ServiceError::SlugTaken { slug }),
                None => continue,
            }
        }
        let post = post.ok_or_else(|| {
            ServiceError::Unavailable(format!(
                "could not find a free slug for `{base}`; try again"
            ))
        })?;
        Ok(PostWithTags { post, tags })
    })
}

/// Inserts the post and its links to `tag_ids`, unless its slug is taken:
/// `DO NOTHING` instead of an error keeps the transaction usable when a
/// concurrent request has just taken the slug.
fn insert_post(
    conn: &mut DbConn,
    row: &NewPostRow<'_>,
    tag_ids: &[i64],
) -> QueryResult<Option<PostRow>> {
    match conn {
        DbConn::Postgres(c) => {
            let insert = diesel::insert_into(posts::table)
                .values(row)
                .on_conflict(posts::slug)
                .do_nothing()
                .returning(PostRow::as_returning());
            WithLinks::new(insert, tag_ids).get_result(c).optional()
        }
        DbConn::Sqlite(c, _) => {
            let post: Option<PostRow> = diesel::insert_into(posts::table)
                .values(row)
                .on_conflict(posts::slug)
                .do_nothing()
                .returning(PostRow::as_returning())
                .get_result(c)
                .optional()?;
            if let Some(post) = &post
                && !tag_ids.is_empty()
            {
                LinkTags::new(post.id, tag_ids, 0).execute(c)?;
            }
            Ok(post)
        }
    }
}

/// Post slugs that a slug built on `base` could clash with.
fn taken_slugs(conn: &mut DbConn, base: &str) -> QueryResult<Vec<String>> {
    // Slugs are ASCII `[a-z0-9-]`, and `.` sorts right after `-`: the range
    // holds exactly the slugs that start with `base-`.
    let (low, high) = (format!("{base}-"), format!("{base}."));
    on_backend!(conn, c => posts::table
        .select(posts::slug)
        .filter(
            posts::slug
                .eq(base)
                .or(posts::slug.gt(&low).and(posts::slug.lt(&high)))
        )
        .load(c))
}

fn attach_tags(
    conn: &mut DbConn,
    post_id: i64,
    tags: &[TagRow],
    first_position: i32,
) -> QueryResult<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let tag_ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
    let links = LinkTags::new(post_id, &tag_ids, first_position);
    on_backend!(conn, c => links.execute(c)).map(drop)
}

/// How a single post is addressed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PostKey {
    Id(i64),
    Slug(String),
}

/// One post: any post for the admin (trashed ones too), visible posts only
/// for the public.
///
/// From memory when a request that read the same `count_changes` sums read
/// it (whether the public may see it is decided at `now`); else one
/// statement: the post joined to its tags, a row for each tag.
pub fn get(
    reader: &mut dyn Reader,
    checked: &Checked,
    key: &PostKey,
    audience: Audience,
    now: NaiveDateTime,
) -> ServiceResult<PostWithTags> {
    let post = match checked.post(key) {
        Some(post) => post,
        None => {
            let post = read_post(reader.conn()?, key)?;
            checked.remember_post(key.clone(), &post);
            post
        }
    };
    if audience == Audience::Public && !post.post.is_visible_at(now) {
        return Err(ServiceError::NotFound("post"));
    }
    Ok(post)
}

/// The post with its tags, whatever its state.
fn read_post(conn: &mut DbConn, key: &PostKey) -> ServiceResult<PostWithTags> {
    let rows: Vec<(PostRow, Option<TagRow>)> = on_backend!(conn, c => {
        // Joined flat: SQLite would materialise a nested join in full.
        let query = posts::table
            .left_join(post_tags::table)
            .left_join(tags_table::table.on(tags_table::id.eq(post_tags::tag_id)))
            .select((PostRow::as_select(), Option::<TagRow>::as_select()))
            .order_by(post_tags::position)
            .into_boxed();
        match key {
            PostKey::Id(id) => query.filter(posts::id.eq(*id)),
            PostKey::Slug(slug) => query.filter(posts::slug.eq(slug)),
        }
        .load(c)
    })?;
    let mut rows = rows.into_iter();
    let (post, first_tag) = rows.next().ok_or(ServiceError::NotFound("post"))?;
    let tags = first_tag
        .into_iter()
        .chain(rows.filter_map(|(_, tag)| tag))
        .collect();
    Ok(PostWithTags { post, tags })
}

fn with_tags(conn: &mut DbConn, post: PostRow) -> ServiceResult<PostWithTags> {
    let tags = tags_of_posts(conn, &[post.id])?
        .remove(&post.id)
        .unwrap_or_default();
    Ok(PostWithTags { post, tags })
}

/// The tags of many posts in one statement, each list in the author's order.
fn tags_of_posts(conn: &mut DbConn, post_ids: &[i64]) -> QueryResult<HashMap<i64, Vec<TagRow>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, TagRow)> = on_backend!(conn, c => post_tags::table
        .inner_join(tags_table::table)
        .filter(post_tags::post_id.eq_any(post_ids))
        .order_by((post_tags::post_id, post_tags::position))
        .select((post_tags::post_id, TagRow::as_select()))
        .load(c))?;
    let mut by_post: HashMap<i64, Vec<TagRow>> = HashMap::new();
    for (post_id, tag) in rows {
        by_post.entry(post_id).or_default().push(tag);
    }
    Ok(by_post)
}

/// [`tags_of_posts`], reading only the links: the tags themselves come
/// from `counts` (current when they were proven so, at the start of the
/// request), and from the database only those created since.
fn tags_of_posts_from(
    conn: &mut DbConn,
    counts: &Counts,
    post_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<TagRow>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links: Vec<(i64, i64)> = on_backend!(conn, c => post_tags::table
        .filter(post_tags::post_id.eq_any(post_ids))
        .order_by((post_tags::post_id, post_tags::position))
        .select((post_tags::post_id, post_tags::tag_id))
        .load(c))?;
    let unknown: Vec<i64> = links
        .iter()
        .map(|&(_, tag_id)| tag_id)
        .filter(|&tag_id| counts.tag_by_id(tag_id).is_none())
        .collect();
    let newer: HashMap<i64, TagRow> = if unknown.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<TagRow> = on_backend!(conn, c => tags_table::table
            .filter(tags_table::id.eq_any(&unknown))
            .select(TagRow::as_select())
            .load(c))?;
        rows.into_iter().map(|tag| (tag.id, tag)).collect()
    };
    let mut by_post: HashMap<i64, Vec<TagRow>> = HashMap::new();
    for (post_id, tag_id) in links {
        // Missing only if created after the counts and deleted since.
        if let Some(tag) = counts.tag_by_id(tag_id).or_else(|| newer.get(&tag_id)) {
            by_post.entry(post_id).or_default().push(tag.clone());
        }
    }
    Ok(by_post)
}

/// Which posts an admin list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusFilter {
    /// Every post that is not deleted.
    #[default]
    All,
    Draft,
    /// Visible now.
    Published,
    /// Published with `published_at` still in the future.
    Scheduled,
    Deleted,
}

#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Tag slugs the post must all have.
    pub all_tags: Vec<String>,
    /// Tag slugs the post must have at least one of.
    pub any_tags: Vec<String>,
    /// Case-insensitive substring of the title (already lower-cased).
    pub title_contains: Option<String>,
    /// Only for the admin; the public always sees visible posts.
    pub status: StatusFilter,
}

/// A page of posts, newest `published_at` first, with their tags, given
/// counts proven current for `now`, in at most two statements: the
/// page (counting the matches too, unless the counts in memory already know
/// how many there are), and the tags of the page. Tag slugs are looked up
/// in memory, so that the database plans with the tags' own statistics.
pub fn list(
    reader: &mut dyn Reader,
    counts: &Proven,
    filter: &PostFilter,
    audience: Audience,
    page: PageRequest,
    now: NaiveDateTime,
) -> ServiceResult<Page<PostWithTags>> {
    let status = match audience {
        Audience::Public => StatusFilter::Published,
        Audience::Admin => filter.status,
    };
    let nothing = Page {
        items: Vec::new(),
        request: page,
        total: 0,
    };
    // A slug no tag has matches no post.
    let Some(mut all_tags) = filter
        .all_tags
        .iter()
        .map(|slug| counts.tag_id(slug))
        .collect::<Option<Vec<i64>>>()
    else {
        return Ok(nothing);
    };
    let mut any_tags: Vec<i64> = filter
        .any_tags
        .iter()
        .filter_map(|slug| counts.tag_id(slug))
        .collect();
    if !filter.any_tags.is_empty() && any_tags.is_empty() {
        return Ok(nothing);
    }
    for ids in [&mut all_tags, &mut any_tags] {
        ids.sort_unstable();
        ids.dedup();
    }
    let tag_walk = tag_walk(reader.backend(), counts, status, &all_tags, page);
    let matching = MatchingPosts {
        status,
        all_tags,
        any_tags,
        title_contains: filter.title_contains.clone(),
        tag_walk,
    };
    // Whether a post matches depends on what the counts' triggers watch,
    // unless the title is searched.
    let key = matching.title_contains.is_none().then(|| TotalKey {
        status,
        all_tags: matching.all_tags.clone(),
        any_tags: matching.any_tags.clone(),
    });
    let total = match key.as_ref().and_then(|key| counts.total(key)) {
        Some(total) => Total::Known(total),
        None => Total::CountWithPage,
    };
    let (listed, changes) = list_matching(reader, counts, &matching, page, now, total)?;
    if let (Some(key), Some(changes)) = (key, changes) {
        counts.remember_total(key, changes, listed.total);
    }
    Ok(listed)
}

// Links looked up beside the ones a list walks.
diesel::alias!(post_tags as other_links: OtherLinks);

/// How a page of the posts with `status` that carry all of `tags` is best
/// found.
pub fn tag_walk(
    backend: Backend,
    counts: &Counts,
    status: StatusFilter,
    tags: &[i64],
    page: PageRequest,
) -> TagWalk {
    if status == StatusFilter::Published
        && let Some(rarest) = counts.rarest(tags)
    {
        return TagWalk::PublicLinksOf(rarest);
    }
    if backend == Backend::Sqlite && counts.walking_is_cheaper(tags, page.offset() + page.limit()) {
        TagWalk::NewestPosts
    } else {
        TagWalk::Gather
    }
}

/// How the posts that carry a list's `all_tags` are found, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TagWalk {
    /// Gather the posts of each tag and sort them; on PostgreSQL the
    /// planner weighs this against walking the newest posts itself.
    #[default]
    Gather,
    /// Walk the posts newest first, checking each for the tags: cheaper
    /// for common tags, which SQLite's planner cannot tell.
    NewestPosts,
    /// Walk this tag's links to visible posts in public order (one range of
    /// an index), checking each post for the other tags. For public lists;
    /// the rarest tag has the fewest links to walk.
    PublicLinksOf(i64),
}

/// Where a list's total comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// The caller knows it (from the counts in memory).
    Known(i64),
    /// The page's statement counts every match too.
    CountWithPage,
}

/// Which posts a list shows, its tags given by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MatchingPosts {
    pub status: StatusFilter,
    /// Tags the post must all have.
    pub all_tags: Vec<i64>,
    /// Tags the post must have at least one of (when not empty).
    pub any_tags: Vec<i64>,
    /// Case-insensitive substring of the title (already lower-cased).
    pub title_contains: Option<String>,
    pub tag_walk: TagWalk,
}

/// A page of the matching posts with their tags; with
/// [`Total::CountWithPage`], also the `count_changes` sum the count was
/// made at (when the page is not empty), so that it can be remembered.
/// A page read by a request that found the same `count_changes` sums is
/// answered from memory: nothing it shows can have changed since.
pub fn list_matching(
    reader: &mut dyn Reader,
    counts: &Proven,
    matching: &MatchingPosts,
    page: PageRequest,
    now: NaiveDateTime,
    total: Total,
) -> ServiceResult<(Page<PostWithTags>, Option<i64>)> {
    let key = PageKey {
        matching: matching.clone(),
        page,
    };
    if let Some(remembered) = counts.checked().page(&key) {
        return Ok((remembered, None));
    }
    let conn = reader.conn()?;
    let pattern = matching
        .title_contains
        .as_deref()
        .map(|q| format!("%{}%", escape_like(q)));
    let status = matching.status;

    let (rows, total, changes) = on_backend!(conn, c => {
        // The posts that match, from `$base` (posts, or one tag's links
        // joined to their posts). Built twice at most (for the page and,
        // past the end, for the total); a macro because a boxed query cannot
        // be cloned and the two bases are different types.
        macro_rules! matching_posts {
            ($base:expr) => {{
                let mut query = $base;
                query = match status {
                    StatusFilter::All => query.filter(posts::deleted_at.is_null()),
                    StatusFilter::Draft => query
                        .filter(posts::status.eq(PostStatus::Draft))
                        .filter(posts::deleted_at.is_null()),
                    StatusFilter::Published => query.filter(visible(now)),
                    StatusFilter::Scheduled => query
                        .filter(posts::status.eq(PostStatus::Published))
                        .filter(posts::published_at.gt(now))
                        .filter(posts::deleted_at.is_null()),
                    StatusFilter::Deleted => query.filter(posts::deleted_at.is_not_null()),
                };
                for &tag_id in &matching.all_tags {
                    query = match matching.tag_walk {
                        // The walk itself.
                        TagWalk::PublicLinksOf(walked) if walked == tag_id => query,
                        TagWalk::Gather => query.filter(
                            posts::id.eq_any(
                                other_links
                                    .filter(other_links.field(post_tags::tag_id).eq(tag_id))
                                    .select(other_links.field(post_tags::post_id)),
                            ),
                        ),
                        _ => query.filter(dsl::exists(
                            other_links
                                .filter(other_links.field(post_tags::post_id).eq(posts::id))
                                .filter(other_links.field(post_tags::tag_id).eq(tag_id)),
                        )),
                    };
                }
                if !matching.any_tags.is_empty() {
                    query = query.filter(
                        posts::id.eq_any(
                            other_links
                                .filter(
                                    other_links
                                        .field(post_tags::tag_id)
                                        .eq_any(&matching.any_tags),
                                )
                                .select(other_links.field(post_tags::post_id)),
                        ),
                    );
                }
                if let Some(pattern) = &pattern {
                    query = query.filter(
                        crate::db::sql::unicode_lower(posts::title)
                            .like(pattern.clone())
                            .escape('\\'),
                    );
                }
                query
            }};
        }
        // The visible posts' links to the walked tag, newest first.
        macro_rules! links_of {
            ($walked:expr) => {
                post_tags::table
                    .inner_join(posts::table)
                    .filter(post_tags::tag_id.eq($walked))
                    .filter(post_tags::public_at.le(now))
                    .into_boxed()
            };
        }
        // The page of `$selection`: newest first.
        macro_rules! load_page {
            ($selection:expr) => {
                match matching.tag_walk {
                    // Ordered as the index is: the same order as below.
                    TagWalk::PublicLinksOf(walked) => matching_posts!(links_of!(walked))
                        .select($selection)
                        .order_by(post_tags::public_at.desc())
                        .then_order_by(post_tags::post_id.desc())
                        .limit(page.limit())
                        .offset(page.offset())
                        .load(c),
                    _ => {
                        let mut query =
                            matching_posts!(posts::table.into_boxed()).select($selection);
                        if status != StatusFilter::Published {
                            // Posts never published have no date; they
                            // lead the admin's list.
                            query = query.order_by(posts::published_at.is_null().desc());
                        }
                        query
                            .then_order_by(posts::published_at.desc())
                            .then_order_by(posts::id.desc())
                            .limit(page.limit())
                            .offset(page.offset())
                            .load(c)
                    }
                }
            };
        }
        match total {
            Total::Known(total) => {
                let rows: Vec<PostRow> = load_page!(PostRow::as_select())?;
                QueryResult::Ok((rows, total, None))
            }
            Total::CountWithPage => {
                let rows: Vec<(PostRow, i64, i64)> = load_page!((
                    PostRow::as_select(),
                    dsl::sql::<BigInt>("count(*) OVER ()"),
                    dsl::sql::<BigInt>(COMMITTED_CHANGES_SQL),
                ))?;
                match rows.first() {
                    Some(&(_, total, changes)) => Ok((
                        rows.into_iter().map(|(post, _, _)| post).collect(),
                        total,
                        Some(changes),
                    )),
                    // A page past the end has no row to carry the count.
                    None => {
                        let total: i64 = match matching.tag_walk {
                            TagWalk::PublicLinksOf(walked) => {
                                matching_posts!(links_of!(walked)).count().get_result(c)?
                            }
                            _ => matching_posts!(posts::table.into_boxed())
                                .count()
                                .get_result(c)?,
                        };
                        Ok((Vec::new(), total, None))
                    }
                }
            }
        }
    })?;

    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut tags = tags_of_posts_from(conn, counts, &ids)?;
    let listed = Page {
        items: rows
            .into_iter()
            .map(|post| {
                let tags = tags.remove(&post.id).unwrap_or_default();
                PostWithTags { post, tags }
            })
            .collect(),
        request: page,
        total,
    };
    counts.checked().remember_page(key, &listed);
    Ok((listed, changes))
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// `*`: any current version.
    Any,
    /// One of these versions.
    OneOf(Vec<i64>),
}

impl ExpectedVersion {
    fn admits(&self, version: i64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::OneOf(versions) => versions.contains(&version),
        }
    }
}

/// A partial update; `None` and [`Patch::Absent`] leave a field alone.
#[derive(Debug, Clone, Default)]
pub struct PostUpdate {
    pub title: Option<PostTitle>,
    pub body: Option<String>,
    pub slug: Option<Slug>,
    pub status: Option<PostStatus>,
    pub excerpt: Patch<String>,
    pub published_at: Patch<NaiveDateTime>,
    /// Replaces the post's tags, in this order.
    pub tags: Option<Vec<TagName>>,
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    update: PostUpdate,
    expected: Option<&ExpectedVersion>,
) -> ServiceResult<PostWithTags> {
    let now = now();
    conn.transaction(|conn| {
        // The transaction may run again after a deadlock.
        let update = update.clone();
        let mut published_at = update.published_at.clone().into_change();
        // Versions If-Match still has to be checked against, by the UPDATE.
        let mut unchecked = match expected {
            Some(ExpectedVersion::OneOf(versions)) => Some(versions.as_slice()),
            Some(ExpectedVersion::Any) | None => None,
        };
        let read_first = update.status.is_some() || !update.published_at.is_absent();
        if read_first {
            // Publishing a post that has no date dates it now, and only the
            // current row tells whether it has one. Other edits need no read
            // before the UPDATE.
            let current = lock_post(conn, id)?;
            if let Some(expected) = expected
                && !expected.admits(current.version)
            {
                return Err(ServiceError::PreconditionFailed);
            }
            unchecked = None;
            let status = update.status.unwrap_or(current.status);
            if status == PostStatus::Published
                && published_at.unwrap_or(current.published_at).is_none()
            {
                published_at = Some(Some(now));
            }
        }
        let slug = update.slug.map(Slug::into_string);
        let changes = PostChangeset {
            title: update.title.map(|t| t.as_str().to_owned()),
            slug: slug.clone(),
            body: update.body,
            excerpt: update.excerpt.into_change(),
            status: update.status,
            published_at,
        };
        let updated: Option<PostRow> = match &mut *conn {
            DbConn::Postgres(c) if !read_first => EditPost::new(id, &changes, now, unchecked)
                .get_result(c)
                .optional(),
            conn => on_backend!(conn, c => {
                let mut statement = diesel::update(posts::table.find(id)).into_boxed();
                if let Some(versions) = unchecked {
                    statement = statement.filter(posts::version.eq_any(versions));
                }
                statement
                    .set((
                        &changes,
                        posts::updated_at.eq(now),
                        posts::version.eq(posts::version + 1),
                    ))
                    .returning(PostRow::as_returning())
                    .get_result(c)
                    .optional()
            }),
        }
        .map_err(|error| match slug {
            Some(slug) if violates_unique(&error, "slug") => ServiceError::SlugTaken { slug },
            _ => error.into(),
        })?;
        let Some(post) = updated else {
            return Err(match unchecked.is_some() && post_exists(conn, id)? {
                true => ServiceError::PreconditionFailed,
                false => ServiceError::NotFound("post"),
            });
        };

        match &update.tags {
            Some(names) => {
                let tags = tags::get_or_create(conn, names, now)?;
                replace_links(conn, id, &tags)?;
                Ok(PostWithTags { post, tags })
            }
            None => with_tags(conn, post),
        }
    })
}

fn post_exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::select(diesel::dsl::exists(
        posts::table.find(id)
    ))
    .get_result(c))
}

/// Makes `tags`, in this order, the post's tags, touching only the links
/// that change: the admin's editor sends the whole list to add or remove one.
fn replace_links(conn: &mut DbConn, post_id: i64, tags: &[TagRow]) -> QueryResult<()> {
    let tag_ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
    let links = LinkTags::new(post_id, &tag_ids, 0);
    match conn {
        DbConn::Postgres(c) => links.replacing_others().execute(c).map(drop),
        DbConn::Sqlite(c, _) => {
            diesel::delete(
                post_tags::table
                    .filter(post_tags::post_id.eq(post_id))
                    .filter(post_tags::tag_id.ne_all(&tag_ids)),
            )
            .execute(c)?;
            links.execute(c).map(drop)
        }
    }
}

/// Reads a post for update. On PostgreSQL the row stays locked until the
/// transaction ends, so concurrent updates of one post take turns; SQLite
/// has one writer at a time anyway.
fn lock_post(conn: &mut DbConn, id: i64) -> ServiceResult<PostRow> {
    let row = match conn {
        DbConn::Postgres(c) => posts::table
            .find(id)
            .select(PostRow::as_select())
            .for_update()
            .first(c)
            .optional()?,
        DbConn::Sqlite(c, _) => posts::table
            .find(id)
            .select(PostRow::as_select())
            .first(c)
            .optional()?,
    };
    row.ok_or(ServiceError::NotFound("post"))
}

/// Moves a post to the trash. Trashing a trashed post changes nothing.
pub fn trash(conn: &mut DbConn, id: i64) -> ServiceResult<()> {
    let now = now();
    conn.transaction(|conn| {
        let post = lock_post(conn, id)?;
        if post.deleted_at.is_none() {
            on_backend!(conn, c => diesel::update(posts::table.find(id))
                .set((
                    posts::deleted_at.eq(now),
                    posts::version.eq(posts::version + 1)
                ))
                .execute(c))?;
        }
        Ok(())
    })
}

/// Takes a post out of the trash. Restoring a live post changes nothing.
pub fn restore(conn: &mut DbConn, id: i64) -> ServiceResult<PostWithTags> {
    conn.transaction(|conn| {
        let mut post = lock_post(conn, id)?;
        if post.deleted_at.is_some() {
            post = on_backend!(conn, c => diesel::update(posts::table.find(id))
                .set((
                    posts::deleted_at.eq(None::<NaiveDateTime>),
                    posts::version.eq(posts::version + 1),
                ))
                .returning(PostRow::as_returning())
                .get_result(c))?;
        }
        with_tags(conn, post)
    })
}

/// Deletes a post for good; its tags remain.
pub fn delete_permanently(conn: &mut DbConn, id: i64) -> ServiceResult<()> {
    let deleted = on_backend!(conn, c => diesel::delete(posts::table.find(id)).execute(c))?;
    if deleted == 0 {
        return Err(ServiceError::NotFound("post"));
    }
    Ok(())
}

/// Attaches tags by name after the post's own, getting or creating them
/// as a create does; tags it already has stay where they are.
pub fn add_tags(conn: &mut DbConn, id: i64, names: &[TagName]) -> ServiceResult<PostWithTags> {
    let now = now();
    conn.transaction(|conn| {
        lock_post(conn, id)?;
        let current = tags_of_posts(conn, &[id])?.remove(&id).unwrap_or_default();
        let wanted = tags::get_or_create(conn, names, now)?;
        let new: Vec<TagRow> = wanted
            .into_iter()
            .filter(|tag| !current.iter().any(|have| have.id == tag.id))
            .collect();
        if current.len() + new.len() > MAX_TAGS_PER_POST {
            return Err(ServiceError::Invalid {
                field: "tags".into(),
                message: format!(
                    "a post has at most {MAX_TAGS_PER_POST} tags; this one has {} and would get {} more",
                    current.len(),
                    new.len()
                ),
            });
        }
        if !new.is_empty() {
            let next_position = on_backend!(conn, c => post_tags::table
                .filter(post_tags::post_id.eq(id))
                .select(dsl::max(post_tags::position))
                .first::<Option<i32>>(c))?
            .map_or(0, |max| max + 1);
            attach_tags(conn, id, &new, next_position)?;
            mark_edited(conn, &[id], now)?;
        }
        let post = on_backend!(conn, c => posts::table.find(id).select(PostRow::as_select()).first(c))?;
        Ok(PostWithTags { post, tags: current.into_iter().chain(new).collect() })
    })
}

/// Detaches one tag from a post; the tag itself remains. Detaching a tag
/// the post does not have changes nothing.
pub fn remove_tag(conn: &mut DbConn, id: i64, tag_slug: &str) -> ServiceResult<PostWithTags> {
    let now = now();
    conn.transaction(|conn| {
        lock_post(conn, id)?;
        let tag_id: i64 = on_backend!(conn, c => tags_table::table
            .filter(tags_table::slug.eq(tag_slug))
            .select(tags_table::id)
            .first(c)
            .optional())?
        .ok_or(ServiceError::NotFound("tag"))?;
        let removed = on_backend!(conn, c => diesel::delete(
            post_tags::table.find((id, tag_id))
        )
        .execute(c))?;
        if removed > 0 {
            mark_edited(conn, &[id], now)?;
        }
        let post = on_backend!(conn, c => posts::table
            .find(id)
            .select(PostRow::as_select())
            .first(c))?;
        with_tags(conn, post)
    })
}

/// Records an edit of these posts: a new version (ETag) and `updated_at`.
fn mark_edited(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table.filter(posts::id.eq_any(ids))
    )
    .set((
        posts::updated_at.eq(now),
        posts::version.eq(posts::version + 1)
    ))
    .execute(c))
}

diesel::define_sql_function! {
    fn coalesce(
        value: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        fallback: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Timestamp>;
}

#[derive(Debug, Clone)]
pub enum BulkAction {
    Publish,
    Unpublish,
    Delete,
    Restore,
    AddTags(Vec<TagName>),
    RemoveTags(Vec<TagName>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Ids that name an existing post.
    pub matched: usize,
    /// Posts whose state changed.
    pub updated: usize,
}

/// Applies one action to many posts in one transaction. The change itself
/// is one statement however many ids there are; around it the work is
/// constant too (counting the matches, and for tags, get-or-create and the
/// version bump).
pub fn bulk(conn: &mut DbConn, ids: &[i64], action: &BulkAction) -> ServiceResult<BulkOutcome> {
    let now = now();
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    conn.transaction(|conn| {
        let matched: i64 = on_backend!(conn, c => posts::table
            .filter(posts::id.eq_any(&ids))
            .count()
            .get_result(c))?;
        let updated = match action {
            BulkAction::Publish => on_backend!(conn, c => diesel::update(
                posts::table.filter(posts::id.eq_any(&ids)).filter(
                    posts::status
                        .ne(PostStatus::Published)
                        .or(posts::published_at.is_null())
                )
            )
            .set((
                posts::status.eq(PostStatus::Published),
                posts::published_at.eq(coalesce(posts::published_at, Some(now))),
                posts::updated_at.eq(now),
                posts::version.eq(posts::version + 1),
            ))
            .execute(c))?,
            BulkAction::Unpublish => on_backend!(conn, c => diesel::update(
                posts::table
                    .filter(posts::id.eq_any(&ids))
                    .filter(posts::status.eq(PostStatus::Published))
            )
            .set((
                posts::status.eq(PostStatus::Draft),
                posts::updated_at.eq(now),
                posts::version.eq(posts::version + 1),
            ))
            .execute(c))?,
            BulkAction::Delete => on_backend!(conn, c => diesel::update(
                posts::table
                    .filter(posts::id.eq_any(&ids))
                    .filter(posts::deleted_at.is_null())
            )
            .set((
                posts::deleted_at.eq(now),
                posts::version.eq(posts::version + 1)
            ))
            .execute(c))?,
            BulkAction::Restore => on_backend!(conn, c => diesel::update(
                posts::table
                    .filter(posts::id.eq_any(&ids))
                    .filter(posts::deleted_at.is_not_null())
            )
            .set((
                posts::deleted_at.eq(None::<NaiveDateTime>),
                posts::version.eq(posts::version + 1),
            ))
            .execute(c))?,
            BulkAction::AddTags(names) => {
                let tags = tags::get_or_create(conn, names, now)?;
                bulk_attach(conn, &ids, &tags, now)?
            }
            BulkAction::RemoveTags(names) => {
                let keys: Vec<&str> = names.iter().map(TagName::key).collect();
                let mut changed: Vec<i64> = on_backend!(conn, c => diesel::delete(
                    post_tags::table
                        .filter(post_tags::post_id.eq_any(&ids))
                        .filter(
                            post_tags::tag_id.eq_any(
                                tags_table::table
                                    .filter(tags_table::name_key.eq_any(&keys))
                                    .select(tags_table::id)
                            )
                        )
                )
                .returning(post_tags::post_id)
                .get_results(c))?;
                changed.sort_unstable();
                changed.dedup();
                mark_edited(conn, &changed, now)?;
                changed.len()
            }
        };
        Ok(BulkOutcome {
            matched: usize::try_from(matched).unwrap_or(0),
            updated,
        })
    })
}

/// Attaches `tags` to every post in `ids` that lacks them, after the post's
/// own tags and in the order given, in one `INSERT … SELECT`. Refuses the
/// whole request when any post would end up with more than the limit.
fn bulk_attach(
    conn: &mut DbConn,
    ids: &[i64],
    tags: &[TagRow],
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    if ids.is_empty() || tags.is_empty() {
        return Ok(0);
    }
    // Ids are integers from the database and the request's parsed JSON, so
    // they can be written into the SQL; that keeps one statement for any
    // number of them on both backends.
    let post_ids = join_ids(ids.iter());
    let tag_ids = join_ids(tags.iter().map(|tag| &tag.id));
    let offsets: String = tags
        .iter()
        .enumerate()
        .map(|(offset, tag)| format!(" WHEN {} THEN {offset}", tag.id))
        .collect();

    let over_limit: Vec<PostId> = on_backend!(conn, c => {
        diesel::sql_query(format!(
        "SELECT p.id AS post_id FROM posts p \
         WHERE p.id IN ({post_ids}) \
         AND (SELECT COUNT(*) FROM post_tags x WHERE x.post_id = p.id AND x.tag_id NOT IN ({tag_ids})) \
             + {} > {MAX_TAGS_PER_POST}",
        tags.len()
    ))
    .load(c)
    })?;
    if let Some(first) = over_limit.first() {
        return Err(ServiceError::Invalid {
            field: "tags".into(),
            message: format!(
                "{} post(s) would have more than {MAX_TAGS_PER_POST} tags (the first is post {})",
                over_limit.len(),
                first.post_id
            ),
        });
    }

    // `WHERE TRUE` keeps SQLite from reading `ON CONFLICT` as a join's `ON`.
    let mut changed: Vec<i64> = on_backend!(conn, c => diesel::sql_query(format!(
        "INSERT INTO post_tags (post_id, tag_id, position) \
         SELECT p.id, t.id, \
                COALESCE((SELECT MAX(x.position) FROM post_tags x WHERE x.post_id = p.id), -1) + 1 \
                + CASE t.id{offsets} END \
         FROM posts p CROSS JOIN tags t \
         WHERE TRUE AND p.id IN ({post_ids}) AND t.id IN ({tag_ids}) \
         ON CONFLICT (post_id, tag_id) DO NOTHING \
         RETURNING post_id"
    ))
    .load::<PostId>(c))?
    .into_iter()
    .map(|row| row.post_id)
    .collect();
    changed.sort_unstable();
    changed.dedup();
    mark_edited(conn, &changed, now)?;
    Ok(changed.len())
}

fn join_ids<'a>(ids: impl Iterator<Item = &'a i64>) -> String {
    ids.map(i64::to_string).collect::<Vec<_>>().join(", ")
}

#[derive(QueryableByName)]
struct PostId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    post_id: i64,
}
