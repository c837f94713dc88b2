//! Tags: get-or-create by name, and reads with exact counts.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::AggregateExpressionMethods;
use diesel::dsl::{count, count_star};
use diesel::prelude::*;

use super::counts::{Counts, Proven};
use super::posts::{MatchingPosts, StatusFilter, Total, visible};
use super::{Reader, ServiceError, ServiceResult};
use crate::db::prepared::InsertTagsIgnoringConflicts;
use crate::db::sql::escape_like;
use crate::db::{DbConn, violates_unique};
use crate::domain::page::{Page, PageRequest};
use crate::domain::patch::Patch;
use crate::domain::slug::{Slug, first_free_slug, tag_slug_base};
use crate::domain::tag_name::TagName;
use crate::domain::time::now;
use crate::models::{NewTagRow, TagRow};
use crate::on_backend;
use crate::schema::{post_tags, posts, tags};

/// Attempts at get-or-create before giving up. Each failed attempt means a
/// concurrent request took a slug this one chose; more than a few in a row
/// would take a storm of such requests.
const GET_OR_CREATE_ATTEMPTS: usize = 8;

/// A tag with its counts: `post_count` counts visible posts; `total_count`
/// counts posts that are not deleted, whatever their status.
#[derive(Debug, Clone)]
pub struct TagWithCounts {
    pub tag: TagRow,
    pub post_count: i64,
    pub total_count: i64,
}

/// Finds each named tag, creating those that do not exist, and returns them
/// in the order given (`names` must already be free of duplicate keys).
///
/// The number of statements does not depend on the number of names: one
/// `SELECT` by key; when some are new, one `SELECT` of the slugs they could
/// clash with and one multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING`.
/// A concurrent request that creates the same name or takes the same slug
/// makes the insert skip that row; the loop then finds the other request's
/// tag, or picks another slug.
///
/// Call it inside a transaction.
pub fn get_or_create(
    conn: &mut DbConn,
    names: &[TagName],
    now: NaiveDateTime,
) -> QueryResult<Vec<TagRow>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = names.iter().map(TagName::key).collect();
    let mut found: HashMap<String, TagRow> = held_by_keys(conn, &keys)?
        .into_iter()
        .map(|tag| (tag.name_key.clone(), tag))
        .collect();

    for attempt in 0..GET_OR_CREATE_ATTEMPTS {
        let missing: Vec<&TagName> = names
            .iter()
            .filter(|n| !found.contains_key(n.key()))
            .collect();
        if missing.is_empty() {
            break;
        }
        // Most new names make new slugs: their bases are tried before the
        // slugs built on them are read.
        let taken = if attempt == 0 {
            HashSet::new()
        } else {
            let bases: Vec<String> = missing.iter().map(|name| tag_slug_base(name)).collect();
            taken_slugs(conn, &bases)?.into_iter().collect()
        };
        let new_rows = assign_free_slugs(&missing, taken, now);
        let created = insert_ignoring_conflicts(conn, new_rows)?;
        if created.len() < missing.len() {
            // Lost a race for a name or a slug: whatever the other request
            // created for our names is ours too.
            let missing_keys: Vec<&str> = missing.iter().map(|n| n.key()).collect();
            let theirs = held_by_keys(conn, &missing_keys)?;
            found.extend(theirs.into_iter().map(|tag| (tag.name_key.clone(), tag)));
        }
        found.extend(created.into_iter().map(|tag| (tag.name_key.clone(), tag)));
    }

    names
        .iter()
        .map(|name| {
            found.get(name.key()).cloned().ok_or_else(|| {
                diesel::result::Error::QueryBuilderError(
                    format!(
                        "could not create tag `{}`: its slug kept being taken",
                        name.display()
                    )
                    .into(),
                )
            })
        })
        .collect()
}

/// The tags with these keys. On PostgreSQL they stay share-locked until the
/// transaction ends, so that a tag being attached to a post cannot be
/// deleted under it: a delete waits, then sees the post.
fn held_by_keys(conn: &mut DbConn, keys: &[&str]) -> QueryResult<Vec<TagRow>> {
    match conn {
        // A blog importing its posts can create thousands of tags a minute.
        DbConn::Postgres(c) => tags::table
            .filter(tags::name_key.eq_any(keys))
            .filter(crate::db::sql::planned_for_its_values())
            .select(TagRow::as_select())
            .for_key_share()
            .load(c),
        DbConn::Sqlite(c, _) => tags::table
            .filter(tags::name_key.eq_any(keys))
            .select(TagRow::as_select())
            .load(c),
    }
}

/// New tag rows for `names`, each with a slug that is not in `taken` and
/// distinct from the others'.
fn assign_free_slugs<'a>(
    names: &[&'a TagName],
    mut taken: HashSet<String>,
    now: NaiveDateTime,
) -> Vec<NewTagRow<'a>> {
    names
        .iter()
        .map(|name| {
            let slug = first_free_slug(&tag_slug_base(name), taken.iter().map(String::as_str));
            taken.insert(slug.clone());
            NewTagRow {
                name: name.display(),
                name_key: name.key(),
                slug,
                description: None,
                created_at: now,
            }
        })
        .collect()
}

/// The tag slugs that a new slug built on any of `bases` could clash with:
/// each base itself and everything starting with `base-`.
fn taken_slugs(conn: &mut DbConn, bases: &[String]) -> QueryResult<Vec<String>> {
    on_backend!(conn, c => {
        let mut query = tags::table
            .select(tags::slug)
            .filter(tags::slug.eq_any(bases))
            .into_boxed();
        for base in bases {
            // Slugs are ASCII `[a-z0-9-]`, and `.` sorts right after `-`: the
            // range holds exactly the slugs that start with `base-`.
            query = query.or_filter(
                tags::slug
                    .gt(format!("{base}-"))
                    .and(tags::slug.lt(format!("{base}."))),
            );
        }
        query.load(c)
    })
}

/// Inserts the rows in one statement, skipping any whose slug is taken (a
/// base tried before it was looked up) or whose name a concurrent request
/// has just taken, and returns the rows it inserted.
fn insert_ignoring_conflicts(
    conn: &mut DbConn,
    mut rows: Vec<NewTagRow<'_>>,
) -> QueryResult<Vec<TagRow>> {
    // A fixed order of inserts means two requests creating the same tags
    // lock them in the same order, and so cannot deadlock.
    rows.sort_by(|a, b| a.name_key.cmp(b.name_key));
    match conn {
        DbConn::Postgres(c) => InsertTagsIgnoringConflicts::new(&rows).get_results(c),
        DbConn::Sqlite(c, _) => diesel::insert_into(tags::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .returning(TagRow::as_returning())
            .get_results(c),
    }
}

/// Sort orders of the tag list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagSort {
    /// Most visible posts first, then by name.
    #[default]
    Count,
    Name,
    /// Newest first.
    Created,
}

#[derive(Debug, Clone, Default)]
pub struct TagListQuery {
    pub sort: TagSort,
    /// Only tags with at least this many visible posts.
    pub min_count: i64,
    /// Case-insensitive prefix of the name (already lower-cased).
    pub prefix: Option<String>,
}

/// Counts the visible posts of a group in a query that left-joins `posts`
/// (and only those not deleted).
#[diesel::dsl::auto_type]
fn visible_post_count(now: NaiveDateTime) -> _ {
    let visible_now: visible = visible(now);
    count(posts::id.nullable()).aggregate_filter(visible_now)
}

/// Every tag with its counts, from one `GROUP BY` join: what
/// [`CountCache`] keeps in memory.
pub fn all_with_counts(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<TagWithCounts>> {
    let rows: Vec<(TagRow, i64, i64)> = on_backend!(conn, c => tags_with_their_posts()
        .group_by(tags::id)
        .select((
            TagRow::as_select(),
            visible_post_count(now),
            count(posts::id.nullable()),
        ))
        .load(c))?;
    Ok(rows.into_iter().map(with_counts).collect())
}

/// Each tag with each of its posts that is not deleted (or a row of NULLs
/// when it has none): what the counts are counted over.
#[diesel::dsl::auto_type]
fn tags_with_their_posts() -> _ {
    tags::table
        .left_join(post_tags::table.on(post_tags::tag_id.eq(tags::id)))
        .left_join(
            posts::table.on(posts::id
                .eq(post_tags::post_id)
                .and(posts::deleted_at.is_null())),
        )
}

/// Tags with their counts from one `GROUP BY` join, plus one statement for
/// the total. The source of truth for [`CountCache`], which answers the
/// same from memory.
pub fn list(
    conn: &mut DbConn,
    query: &TagListQuery,
    page: PageRequest,
    now: NaiveDateTime,
) -> QueryResult<Page<TagWithCounts>> {
    let pattern = query
        .prefix
        .as_deref()
        .map(|p| format!("{}%", escape_like(p)));
    let (rows, total) = on_backend!(conn, c => {
        let mut select = tags_with_their_posts()
            .group_by(tags::id)
            .select((
                TagRow::as_select(),
                visible_post_count(now),
                count(posts::id.nullable()),
            ))
            .into_boxed();
        if let Some(pattern) = &pattern {
            select = select.filter(tags::name_key.like(pattern.clone()).escape('\\'));
        }
        if query.min_count > 0 {
            select = select.having(visible_post_count(now).ge(query.min_count));
        }
        select = match query.sort {
            TagSort::Count => select.order_by((
                visible_post_count(now).desc(),
                tags::name_key.asc(),
                tags::id.asc(),
            )),
            TagSort::Name => select.order_by((tags::name_key.asc(), tags::id.asc())),
            TagSort::Created => select.order_by((tags::created_at.desc(), tags::id.desc())),
        };
        let rows: Vec<(TagRow, i64, i64)> =
            select.limit(page.limit()).offset(page.offset()).load(c)?;

        let mut total = tags::table.select(count_star()).into_boxed();
        if let Some(pattern) = &pattern {
            total = total.filter(tags::name_key.like(pattern.clone()).escape('\\'));
        }
        if query.min_count > 0 {
            let counted_enough = post_tags::table
                .inner_join(posts::table)
                .filter(visible(now))
                .group_by(post_tags::tag_id)
                .having(count_star().ge(query.min_count))
                .select(post_tags::tag_id);
            total = total.filter(tags::id.eq_any(counted_enough));
        }
        let total: i64 = total.first(c)?;
        QueryResult::Ok((rows, total))
    })?;
    Ok(Page {
        items: rows.into_iter().map(with_counts).collect(),
        request: page,
        total,
    })
}

/// One tag with its counts, from the counts in memory.
pub fn get(counts: &Counts, slug: &str) -> ServiceResult<TagWithCounts> {
    counts.tag(slug).ok_or(ServiceError::NotFound("tag"))
}

/// One tag with its counts, counted by the database.
pub fn get_by_slug(
    conn: &mut DbConn,
    slug: &str,
    now: NaiveDateTime,
) -> ServiceResult<TagWithCounts> {
    let row = on_backend!(conn, c => tags_with_their_posts()
        .filter(tags::slug.eq(slug))
        .group_by(tags::id)
        .select((
            TagRow::as_select(),
            visible_post_count(now),
            count(posts::id.nullable()),
        ))
        .first::<(TagRow, i64, i64)>(c)
        .optional())?;
    row.map(with_counts).ok_or(ServiceError::NotFound("tag"))
}

fn with_counts((tag, post_count, total_count): (TagRow, i64, i64)) -> TagWithCounts {
    TagWithCounts {
        tag,
        post_count,
        total_count,
    }
}

/// The tag's visible posts, newest first (the public tag page): the tag
/// and the total from the counts in memory, then the page and its tags.
pub fn posts_of_tag(
    reader: &mut dyn Reader,
    counts: &Proven,
    slug: &str,
    page: PageRequest,
    now: NaiveDateTime,
) -> ServiceResult<(TagWithCounts, Page<super::posts::PostWithTags>)> {
    let tag = counts.tag(slug).ok_or(ServiceError::NotFound("tag"))?;
    let all_tags = vec![tag.tag.id];
    let tag_walk = super::posts::tag_walk(
        reader.backend(),
        counts,
        StatusFilter::Published,
        &all_tags,
        page,
    );
    let matching = MatchingPosts {
        status: StatusFilter::Published,
        all_tags,
        tag_walk,
        ..Default::default()
    };
    // The visible posts that carry the tag are what `post_count` counts.
    let total = Total::Known(tag.post_count);
    let (posts, _) = super::posts::list_matching(reader, counts, &matching, page, now, total)?;
    Ok((tag, posts))
}

/// What `POST /tags` creates.
#[derive(Debug, Clone)]
pub struct NewTag {
    pub name: TagName,
    /// Generated from the name when not given.
    pub slug: Option<Slug>,
    pub description: Option<String>,
}

/// Creates a tag; a name that exists (case-insensitively) or a slug that is
/// taken is a conflict naming the tag that has it.
pub fn create(conn: &mut DbConn, new: NewTag) -> ServiceResult<TagWithCounts> {
    let now = now();
    conn.transaction(|conn| {
        for _ in 0..GET_OR_CREATE_ATTEMPTS {
            if let Some(existing) = find_by_key(conn, new.name.key())? {
                return Err(ServiceError::TagNameTaken {
                    slug: existing.slug,
                });
            }
            let slug = match &new.slug {
                Some(slug) => {
                    if find_by_slug(conn, slug.as_str())?.is_some() {
                        return Err(ServiceError::SlugTaken {
                            slug: slug.to_string(),
                        });
                    }
                    slug.to_string()
                }
                None => {
                    let base = tag_slug_base(&new.name);
                    let taken = taken_slugs(conn, std::slice::from_ref(&base))?;
                    first_free_slug(&base, taken.iter().map(String::as_str))
                }
            };
            let row = NewTagRow {
                name: new.name.display(),
                name_key: new.name.key(),
                slug,
                description: new.description.as_deref(),
                created_at: now,
            };
            // Empty only when a concurrent request took the name or slug
            // since the checks above; the next round reports or avoids it.
            if let Some(tag) = insert_ignoring_conflicts(conn, vec![row])?.pop() {
                return Ok(TagWithCounts {
                    tag,
                    post_count: 0,
                    total_count: 0,
                });
            }
        }
        Err(ServiceError::Unavailable(
            "could not find a free slug for the tag; try again".into(),
        ))
    })
}

fn find_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<TagRow>> {
    on_backend!(conn, c => tags::table
        .filter(tags::name_key.eq(key))
        .select(TagRow::as_select())
        .first(c)
        .optional())
}

fn find_by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<TagRow>> {
    on_backend!(conn, c => tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRow::as_select())
        .first(c)
        .optional())
}

/// Reads a tag for a change. On PostgreSQL the row stays locked until the
/// transaction ends, which also holds back posts being attached to it.
fn lock_by_slug(conn: &mut DbConn, slug: &str) -> ServiceResult<TagRow> {
    let row = match conn {
        DbConn::Postgres(c) => tags::table
            .filter(tags::slug.eq(slug))
            .select(TagRow::as_select())
            .for_update()
            .first(c)
            .optional()?,
        DbConn::Sqlite(c, _) => tags::table
            .filter(tags::slug.eq(slug))
            .select(TagRow::as_select())
            .first(c)
            .optional()?,
    };
    row.ok_or(ServiceError::NotFound("tag"))
}

/// Marks every post that carries the tag as changed: their representation
/// (the tag's name or slug, or the tag itself) is about to change.
fn touch_posts_of(conn: &mut DbConn, tag_id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table.filter(
            posts::id.eq_any(
                post_tags::table
                    .filter(post_tags::tag_id.eq(tag_id))
                    .select(post_tags::post_id)
            )
        )
    )
    .set(posts::version.eq(posts::version + 1))
    .execute(c))
}

/// A change to a tag; `None` and [`Patch::Absent`] leave a field alone.
#[derive(Debug, Clone, Default)]
pub struct TagUpdate {
    pub name: Option<TagName>,
    pub slug: Option<Slug>,
    pub description: Patch<String>,
}

/// Renames a tag, moves its slug or changes its description. Renaming keeps
/// the slug; renaming to another casing of the same name is allowed.
pub fn update(conn: &mut DbConn, slug: &str, update: TagUpdate) -> ServiceResult<TagWithCounts> {
    let now = now();
    let new_slug = conn.transaction(|conn| {
        // The transaction may run again after a deadlock.
        let update = update.clone();
        let tag = lock_by_slug(conn, slug)?;
        let name = update.name.filter(|name| name.display() != tag.name);
        if let Some(name) = &name
            && name.key() != tag.name_key
            && let Some(other) = find_by_key(conn, name.key())?
        {
            return Err(ServiceError::TagNameTaken { slug: other.slug });
        }
        let new_slug = update
            .slug
            .map(Slug::into_string)
            .filter(|new| *new != tag.slug);
        if let Some(new_slug) = &new_slug
            && find_by_slug(conn, new_slug)?.is_some()
        {
            return Err(ServiceError::SlugTaken {
                slug: new_slug.clone(),
            });
        }
        let changes = TagChangeset {
            name: name.as_ref().map(|name| name.display().to_owned()),
            name_key: name.as_ref().map(|name| name.key().to_owned()),
            slug: new_slug.clone(),
            description: update.description.into_change(),
        };
        if changes.is_empty() {
            return Ok(tag.slug);
        }
        if changes.name.is_some() || changes.slug.is_some() {
            touch_posts_of(conn, tag.id)?;
        }
        on_backend!(conn, c => diesel::update(tags::table.find(tag.id))
            .set(&changes)
            .execute(c))
        .map_err(|error| match (&new_slug, &changes.name_key) {
            (Some(slug), _) if violates_unique(&error, "slug") => {
                ServiceError::SlugTaken { slug: slug.clone() }
            }
            (_, Some(_)) if violates_unique(&error, "name_key") => ServiceError::TagNameTaken {
                slug: String::new(),
            },
            _ => error.into(),
        })?;
        Ok(new_slug.unwrap_or(tag.slug))
    })?;
    get_by_slug(conn, &new_slug, now)
}

/// Deletes a tag. While any post carries it (drafts and trashed posts
/// included) that takes `force`, which detaches it everywhere first.
pub fn delete(conn: &mut DbConn, slug: &str, force: bool) -> ServiceResult<()> {
    conn.transaction(|conn| {
        let tag = lock_by_slug(conn, slug)?;
        let carriers: i64 = on_backend!(conn, c => post_tags::table
            .filter(post_tags::tag_id.eq(tag.id))
            .count()
            .get_result(c))?;
        if carriers > 0 {
            if !force {
                return Err(ServiceError::TagInUse {
                    slug: tag.slug,
                    posts: carriers,
                });
            }
            touch_posts_of(conn, tag.id)?;
        }
        // `ON DELETE CASCADE` detaches it from every post.
        on_backend!(conn, c => diesel::delete(tags::table.find(tag.id))
            .execute(c))?;
        Ok(())
    })
}

/// Merges `source` into `target`: every post of the source ends up with the
/// target exactly once (in the source's position where it had no target
/// yet), and the source is deleted. Answers the target with fresh counts.
pub fn merge(
    conn: &mut DbConn,
    source_slug: &str,
    target_slug: &str,
) -> ServiceResult<TagWithCounts> {
    if source_slug == target_slug {
        return Err(ServiceError::Invalid {
            field: "into".into(),
            message: "a tag cannot be merged into itself".into(),
        });
    }
    let now = now();
    conn.transaction(|conn| {
        // Lock both in one order whatever the direction, so that two merges
        // of the same pair cannot deadlock.
        let (first, second) = if source_slug < target_slug {
            (source_slug, target_slug)
        } else {
            (target_slug, source_slug)
        };
        let first = lock_by_slug(conn, first);
        let second = lock_by_slug(conn, second);
        let (source, target) = if source_slug < target_slug {
            (first, second)
        } else {
            (second, first)
        };
        let source = source?;
        let target = target.map_err(|_| ServiceError::Invalid {
            field: "into".into(),
            message: format!("no tag has the slug `{target_slug}`"),
        })?;

        touch_posts_of(conn, source.id)?;
        let target_links = diesel::alias!(post_tags as target_links);
        on_backend!(conn, c => diesel::update(
            post_tags::table
                .filter(post_tags::tag_id.eq(source.id))
                .filter(
                    post_tags::post_id.ne_all(
                        target_links
                            .filter(target_links.field(post_tags::tag_id).eq(target.id))
                            .select(target_links.field(post_tags::post_id))
                    )
                )
        )
        .set(post_tags::tag_id.eq(target.id))
        .execute(c))?;
        // Posts that had both keep the target where it was; the source's
        // remaining rows go with it.
        on_backend!(conn, c => diesel::delete(tags::table.find(source.id))
            .execute(c))?;
        Ok::<_, ServiceError>(())
    })?;
    get_by_slug(conn, target_slug, now)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tags)]
struct TagChangeset {
    name: Option<String>,
    name_key: Option<String>,
    slug: Option<String>,
    description: Option<Option<String>>,
}

impl TagChangeset {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.slug.is_none() && self.description.is_none()
    }
}
