//! Writes that can lose a race with a concurrent request for a slug or a
//! name: they try again, seeing what the other request took.

use std::collections::HashSet;

use diesel::QueryResult;

use super::{ServiceError, ServiceResult};
use crate::db::DbConn;
use crate::db::slugs::{self, SlugTable};
use crate::domain::slug::first_free_slug;

/// Attempts before a write gives up. Each failed attempt means a concurrent
/// request took a slug or a name this one chose; more than a few in a row
/// would take a storm of such requests.
const ATTEMPTS: usize = 20;

/// Runs `attempt` (given its number, from 0) until it returns a value;
/// `None` means it lost a race and should run again. After [`ATTEMPTS`]
/// losses the request gives up with [`ServiceError::Contended`].
pub fn until_won<T>(
    what: &str,
    mut attempt: impl FnMut(usize) -> ServiceResult<Option<T>>,
) -> ServiceResult<T> {
    for number in 0..ATTEMPTS {
        if let Some(done) = attempt(number)? {
            return Ok(done);
        }
    }
    Err(ServiceError::Contended(format!(
        "{what}: lost the race for a slug or a name {ATTEMPTS} times"
    )))
}

/// [`free_slugs`] for one base.
pub fn free_slug(
    conn: &mut DbConn,
    table: SlugTable,
    base: &str,
    attempt: usize,
) -> QueryResult<String> {
    let free = free_slugs(conn, table, &[base.to_owned()], attempt)?;
    Ok(free.into_iter().next().unwrap_or_else(|| base.to_owned()))
}

/// A slug for each of `bases`, free in `table` and distinct from the
/// others'. Most bases are free, and looking them up costs a statement, so
/// the first attempt takes the bases themselves (an insert that finds one
/// taken skips its row); a later one reads the slugs they could clash with
/// and takes the lowest free suffix (`-2`, `-3`, …).
pub fn free_slugs(
    conn: &mut DbConn,
    table: SlugTable,
    bases: &[String],
    attempt: usize,
) -> QueryResult<Vec<String>> {
    let mut taken: HashSet<String> = if attempt == 0 {
        HashSet::new()
    } else {
        slugs::taken(conn, table, bases)?.into_iter().collect()
    };
    Ok(bases
        .iter()
        .map(|base| {
            let slug = first_free_slug(base, taken.iter().map(String::as_str));
            taken.insert(slug.clone());
            slug
        })
        .collect())
}
