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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_runs_again_until_it_wins() {
        let mut numbers = Vec::new();
        let won = until_won("testing", |number| {
            numbers.push(number);
            Ok((number == 2).then_some("won"))
        });
        assert_eq!(won.unwrap(), "won");
        assert_eq!(numbers, [0, 1, 2]);
    }

    #[test]
    fn a_write_that_keeps_losing_gives_up_under_contention() {
        let mut attempts = 0;
        let lost = until_won::<()>("testing", |_| {
            attempts += 1;
            Ok(None)
        });
        assert!(matches!(lost, Err(ServiceError::Contended(_))), "{lost:?}");
        assert_eq!(attempts, ATTEMPTS);
    }

    #[test]
    fn an_error_ends_the_attempts() {
        let mut attempts = 0;
        let failed = until_won::<()>("testing", |_| {
            attempts += 1;
            Err(ServiceError::PreconditionFailed)
        });
        assert!(matches!(failed, Err(ServiceError::PreconditionFailed)));
        assert_eq!(attempts, 1);
    }
}
