//! Statements that Diesel would not prepare, written as fixed texts so that
//! PostgreSQL prepares each once per connection.
//!
//! Diesel sends a multi-row `VALUES` insert (its text changes with the
//! number of rows) and every `UPDATE` (its `SET` list changes with the
//! fields given) unprepared, so PostgreSQL parses, analyses and plans them
//! on every call: in the write benchmarks that was a fifth of its time. The
//! inserts here take their rows as arrays and `unnest` them (`json_each` on
//! SQLite, whose Diesel inserts links one row per statement); the edit of a
//! post names every field it may change and keeps those not given.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use crate::models::{NewTagRow, PostChangeset, PostRow, TagRow};

/// Links one post to `tag_ids` at consecutive positions from
/// `first_position`: new links are inserted, existing ones moved to their
/// place if it changed, and links already in place are not written.
pub struct LinkTags<'a> {
    post_id: i64,
    tag_ids: &'a [i64],
    /// The ids again as a JSON array, for SQLite's `json_each`.
    tag_ids_json: String,
    first_position: i32,
}

impl<'a> LinkTags<'a> {
    pub fn new(post_id: i64, tag_ids: &'a [i64], first_position: i32) -> Self {
        let ids: Vec<String> = tag_ids.iter().map(i64::to_string).collect();
        Self {
            post_id,
            tag_ids,
            tag_ids_json: format!("[{}]", ids.join(",")),
            first_position,
        }
    }

    /// Leaves the post linked to these tags alone: first deletes its links
    /// to any other. One statement on PostgreSQL.
    pub fn replacing_others(self) -> ReplaceLinks<'a> {
        ReplaceLinks(self)
    }
}

impl QueryId for LinkTags<'_> {
    type QueryId = LinkTags<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

const MOVE_KEPT_LINKS: &str = " ON CONFLICT (post_id, tag_id) DO UPDATE SET position = excluded.position \
     WHERE post_tags.position <> excluded.position";

impl QueryFragment<Pg> for LinkTags<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("INSERT INTO post_tags (post_id, tag_id, position) SELECT ");
        out.push_bind_param::<BigInt, _>(&self.post_id)?;
        out.push_sql(", link.tag_id, ");
        out.push_bind_param::<Integer, _>(&self.first_position)?;
        out.push_sql(" + (link.ordinal - 1)::int4 FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(self.tag_ids)?;
        out.push_sql(") WITH ORDINALITY AS link (tag_id, ordinal)");
        out.push_sql(MOVE_KEPT_LINKS);
        Ok(())
    }
}

impl QueryFragment<Sqlite> for LinkTags<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("INSERT INTO post_tags (post_id, tag_id, position) SELECT ");
        out.push_bind_param::<BigInt, _>(&self.post_id)?;
        out.push_sql(", link.value, ");
        out.push_bind_param::<Integer, _>(&self.first_position)?;
        out.push_sql(" + link.key FROM json_each(");
        out.push_bind_param::<Text, _>(&self.tag_ids_json)?;
        // `WHERE true` tells SQLite's parser that ON CONFLICT is the upsert's.
        out.push_sql(") AS link WHERE true");
        out.push_sql(MOVE_KEPT_LINKS);
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for LinkTags<'_> {}
impl RunQueryDsl<SqliteConnection> for LinkTags<'_> {}

/// A post's `INSERT … RETURNING` (`Q`) and the insert of its links to
/// `tag_ids`, in that order, in one statement on PostgreSQL. Inserts no
/// links when `Q` inserts no post.
pub struct WithLinks<'a, Q> {
    insert: Q,
    tag_ids: &'a [i64],
}

impl<'a, Q> WithLinks<'a, Q> {
    pub fn new(insert: Q, tag_ids: &'a [i64]) -> Self {
        Self { insert, tag_ids }
    }
}

impl<Q: QueryId> QueryId for WithLinks<'_, Q> {
    type QueryId = WithLinks<'static, Q::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for WithLinks<'_, Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH post AS (");
        self.insert.walk_ast(out.reborrow())?;
        out.push_sql(
            "), links AS (INSERT INTO post_tags (post_id, tag_id, position) \
             SELECT post.id, link.tag_id, (link.ordinal - 1)::int4 FROM post, unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(self.tag_ids)?;
        out.push_sql(") WITH ORDINALITY AS link (tag_id, ordinal)) SELECT * FROM post");
        Ok(())
    }
}

impl<Q: Query> Query for WithLinks<'_, Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<PgConnection> for WithLinks<'_, Q> {}

/// [`LinkTags`] after deleting the post's links to other tags, in one
/// statement; PostgreSQL only (SQLite cannot delete in a `WITH`).
pub struct ReplaceLinks<'a>(LinkTags<'a>);

impl QueryId for ReplaceLinks<'_> {
    type QueryId = ReplaceLinks<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for ReplaceLinks<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH unlinked AS (DELETE FROM post_tags WHERE post_id = ");
        out.push_bind_param::<BigInt, _>(&self.0.post_id)?;
        out.push_sql(" AND tag_id <> ALL(");
        out.push_bind_param::<Array<BigInt>, _>(self.0.tag_ids)?;
        out.push_sql(")) ");
        self.0.walk_ast(out)
    }
}

impl RunQueryDsl<PgConnection> for ReplaceLinks<'_> {}

/// `INSERT … ON CONFLICT DO NOTHING` of new tags, in the order given,
/// returning the rows it inserted.
pub struct InsertTagsIgnoringConflicts<'a> {
    names: Vec<&'a str>,
    name_keys: Vec<&'a str>,
    slugs: Vec<&'a str>,
    descriptions: Vec<Option<&'a str>>,
    created_at: Vec<NaiveDateTime>,
    returning: <TagRow as Selectable<Pg>>::SelectExpression,
}

impl<'a> InsertTagsIgnoringConflicts<'a> {
    pub fn new(rows: &'a [NewTagRow<'a>]) -> Self {
        Self {
            names: rows.iter().map(|row| row.name).collect(),
            name_keys: rows.iter().map(|row| row.name_key).collect(),
            slugs: rows.iter().map(|row| row.slug.as_str()).collect(),
            descriptions: rows.iter().map(|row| row.description).collect(),
            created_at: rows.iter().map(|row| row.created_at).collect(),
            returning: <TagRow as Selectable<Pg>>::construct_selection(),
        }
    }
}

impl QueryId for InsertTagsIgnoringConflicts<'_> {
    type QueryId = InsertTagsIgnoringConflicts<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for InsertTagsIgnoringConflicts<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO tags (name, name_key, slug, description, created_at) \
             SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.names)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.name_keys)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.slugs)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.descriptions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.created_at)?;
        out.push_sql(") ON CONFLICT DO NOTHING RETURNING ");
        self.returning.walk_ast(out.reborrow())?;
        Ok(())
    }
}

impl Query for InsertTagsIgnoringConflicts<'_> {
    type SqlType = diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<TagRow, Pg>>;
}

impl RunQueryDsl<PgConnection> for InsertTagsIgnoringConflicts<'_> {}

/// An edit of a post that neither publishes nor dates it, in one fixed
/// statement: Diesel never prepares an `UPDATE` (its `SET` list varies with
/// the fields given), so PostgreSQL would parse and plan each one. Fields
/// left out keep their values.
pub struct EditPost<'a> {
    id: i64,
    title: Option<&'a str>,
    slug: Option<&'a str>,
    body: Option<&'a str>,
    excerpt_given: bool,
    excerpt: Option<&'a str>,
    author_id: Option<i64>,
    now: NaiveDateTime,
    versions: Option<&'a [i64]>,
    returning: <PostRow as Selectable<Pg>>::SelectExpression,
}

impl<'a> EditPost<'a> {
    /// `excerpt`: `None` leaves it, `Some(None)` clears it. `versions`: the
    /// edit is made only if the post's version is one of these, when given.
    pub fn new(
        id: i64,
        changes: &'a PostChangeset,
        now: NaiveDateTime,
        versions: Option<&'a [i64]>,
    ) -> Self {
        Self {
            id,
            title: changes.title.as_deref(),
            slug: changes.slug.as_deref(),
            body: changes.body.as_deref(),
            excerpt_given: changes.excerpt.is_some(),
            excerpt: changes.excerpt.as_ref().and_then(Option::as_deref),
            author_id: changes.author_id,
            now,
            versions,
            returning: <PostRow as Selectable<Pg>>::construct_selection(),
        }
    }
}

impl QueryId for EditPost<'_> {
    type QueryId = EditPost<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for EditPost<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE posts SET title = COALESCE(");
        out.push_bind_param::<Nullable<Text>, _>(&self.title)?;
        out.push_sql(", title), slug = COALESCE(");
        out.push_bind_param::<Nullable<Text>, _>(&self.slug)?;
        out.push_sql(", slug), body = COALESCE(");
        out.push_bind_param::<Nullable<Text>, _>(&self.body)?;
        out.push_sql(", body), excerpt = CASE WHEN ");
        out.push_bind_param::<Bool, _>(&self.excerpt_given)?;
        out.push_sql(" THEN ");
        out.push_bind_param::<Nullable<Text>, _>(&self.excerpt)?;
        out.push_sql(" ELSE excerpt END, author_id = COALESCE(");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.author_id)?;
        out.push_sql(", author_id), updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", version = version + 1 WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.id)?;
        out.push_sql(" AND (");
        out.push_bind_param::<Nullable<Array<BigInt>>, _>(&self.versions)?;
        out.push_sql(" IS NULL OR version = ANY(");
        out.push_bind_param::<Nullable<Array<BigInt>>, _>(&self.versions)?;
        out.push_sql(")) RETURNING ");
        self.returning.walk_ast(out.reborrow())
    }
}

impl Query for EditPost<'_> {
    type SqlType = diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<PostRow, Pg>>;
}

impl RunQueryDsl<PgConnection> for EditPost<'_> {}
