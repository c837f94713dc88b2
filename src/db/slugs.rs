//! Which slugs are taken: what a new slug must not clash with.

use diesel::dsl;
use diesel::prelude::*;
use diesel::query_dsl::methods::{FilterDsl, OrFilterDsl};
use diesel::sql_types::Text;

use super::conn::DbConn;
use crate::on_backend;
use crate::schema::{posts, tags, users};

/// The tables whose rows have unique slugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugTable {
    Posts,
    Tags,
    Users,
}

/// The slugs in `table` that a slug built on any of `bases` could clash
/// with: each base itself and every slug that starts with `base-`. One
/// statement for any number of bases.
pub fn taken(conn: &mut DbConn, table: SlugTable, bases: &[String]) -> QueryResult<Vec<String>> {
    on_backend!(conn, c => match table {
        SlugTable::Posts => {
            clashing(posts::table.select(posts::slug).into_boxed(), posts::slug, bases).load(c)
        }
        SlugTable::Tags => {
            clashing(tags::table.select(tags::slug).into_boxed(), tags::slug, bases).load(c)
        }
        SlugTable::Users => {
            clashing(users::table.select(users::slug).into_boxed(), users::slug, bases).load(c)
        }
    })
}

/// `query` narrowed to the rows whose `slug` is one of `bases` or starts
/// with one of them and a hyphen.
fn clashing<Q, S>(query: Q, slug: S, bases: &[String]) -> Q
where
    S: Column<SqlType = Text> + Copy,
    Q: FilterDsl<dsl::EqAny<S, Vec<String>>, Output = Q>
        + OrFilterDsl<dsl::And<dsl::Gt<S, String>, dsl::Lt<S, String>>, Output = Q>,
{
    let mut query = FilterDsl::filter(query, slug.eq_any(bases.to_vec()));
    for base in bases {
        // Slugs are ASCII `[a-z0-9-]`, and `.` sorts right after `-`: the
        // range holds exactly the slugs that start with `base-`.
        query = query.or_filter(slug.gt(format!("{base}-")).and(slug.lt(format!("{base}."))));
    }
    query
}
