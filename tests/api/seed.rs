//! `blog-backend seed`: the data set it writes, on each backend.

use blog_backend::db::DbConn;
use blog_backend::seed::{SeedError, SeedPlan, seed};
use diesel::prelude::*;

use crate::helpers::{Backend, TestDatabase};

const PLAN: SeedPlan = SeedPlan {
    posts: 2_500,
    tags: 60,
    tags_per_post: 4,
    seed: 7,
};

#[test]
fn sqlite_seeds_a_realistic_repeatable_data_set() {
    seeds_a_realistic_repeatable_data_set(Backend::Sqlite);
}

#[test]
fn postgres_seeds_a_realistic_repeatable_data_set() {
    seeds_a_realistic_repeatable_data_set(Backend::Postgres);
}

/// Posts as `(slug, status, published?, deleted?, tag names in order)`.
type Snapshot = Vec<(String, String, bool, bool, Vec<String>)>;

fn snapshot(conn: &mut DbConn) -> Snapshot {
    let sql = "SELECT p.slug, p.status, p.published_at IS NOT NULL AS dated, \
               p.deleted_at IS NOT NULL AS deleted, t.name \
               FROM posts p JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id \
               ORDER BY p.id, pt.position";
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        slug: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        dated: bool,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        deleted: bool,
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let rows: Vec<Row> = blog_backend::on_backend!(conn, c => diesel::sql_query(sql).load(c))
        .expect("the seeded rows");
    let mut posts: Snapshot = Vec::new();
    for row in rows {
        match posts.last_mut() {
            Some(post) if post.0 == row.slug => post.4.push(row.name),
            _ => posts.push((row.slug, row.status, row.dated, row.deleted, vec![row.name])),
        }
    }
    posts
}

fn seeds_a_realistic_repeatable_data_set(backend: Backend) {
    let (Some(first), Some(second)) =
        (TestDatabase::create(backend), TestDatabase::create(backend))
    else {
        return;
    };
    let mut conn = first.connect();
    let mut progress = Vec::new();
    let report = seed(&mut conn, &PLAN, |written| progress.push(written)).unwrap();

    assert_eq!(report.posts, PLAN.posts);
    assert_eq!(report.tags, u64::from(PLAN.tags));
    assert_eq!(report.links, PLAN.posts * u64::from(PLAN.tags_per_post));
    assert_eq!(
        report.published + report.drafts + report.scheduled + report.trashed,
        PLAN.posts
    );
    let share = |count: u64| count as f64 / PLAN.posts as f64;
    assert!(
        (0.80..0.90).contains(&share(report.published + report.trashed)),
        "{report:?}"
    );
    assert!((0.07..0.13).contains(&share(report.drafts)), "{report:?}");
    assert!(
        (0.03..0.07).contains(&share(report.scheduled)),
        "{report:?}"
    );
    assert!(report.trashed > 0, "{report:?}");
    assert_eq!(progress.last(), Some(&PLAN.posts), "progress is reported");

    let posts = snapshot(&mut conn);
    assert_eq!(posts.len() as u64, PLAN.posts, "every post has its tags");
    for (slug, status, dated, deleted, tags) in &posts {
        assert!(blog_backend::domain::slug::is_valid_slug(slug), "{slug}");
        assert_eq!(*dated, status == "published", "{slug}");
        assert!(!*deleted || status == "published", "{slug}");
        assert_eq!(tags.len(), PLAN.tags_per_post as usize);
    }
    // Popularity is skewed: the most used tag is on many posts, most tags on few.
    let mut uses = std::collections::HashMap::<&str, usize>::new();
    for (.., tags) in &posts {
        for tag in tags {
            *uses.entry(tag).or_default() += 1;
        }
    }
    let mut counts: Vec<usize> = uses.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    assert!(counts[0] > 8 * counts[counts.len() / 2], "{counts:?}");
    // Names in several scripts and casings.
    assert!(uses.keys().any(|name| !name.is_ascii()));
    assert!(
        uses.keys().any(
            |name| name.chars().any(char::is_lowercase) && name.chars().any(char::is_uppercase)
        )
    );

    // The same seed writes the same data; a second seed is refused.
    let mut again = second.connect();
    assert_eq!(seed(&mut again, &PLAN, |_| {}).unwrap(), report);
    assert_eq!(snapshot(&mut again), posts);
    assert!(matches!(
        seed(&mut conn, &PLAN, |_| {}),
        Err(SeedError::NotEmpty { .. })
    ));
}
