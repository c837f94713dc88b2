//! A realistic data set for benchmarks and demos: tags whose popularity
//! follows a Zipf law, mostly published posts with some drafts, scheduled
//! and trashed ones, unicode and mixed-case names. Written in batches with
//! the same row types the services use, one transaction a batch; the same
//! seed gives the same data.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::{DbConn, DbError, count_deltas};
use crate::domain::people::OWNER_ID;
use crate::domain::slug::{post_slug_base, tag_slug_base};
use crate::domain::tag_name::TagName;
use crate::domain::text::PostTitle;
use crate::domain::time::now;
use crate::models::{NewPostRow, NewPostTagRow, NewTagRow, PostStatus};
use crate::on_backend;
use crate::schema::{post_tags, posts, tags};

/// What to write.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub posts: u64,
    pub tags: u32,
    pub tags_per_post: u32,
    /// The same seed writes the same data.
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub posts: u64,
    pub tags: u64,
    pub links: u64,
    pub published: u64,
    pub drafts: u64,
    pub scheduled: u64,
    pub trashed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the database already holds {posts} posts and {tags} tags; seed an empty one")]
    NotEmpty { posts: i64, tags: i64 },
    #[error("--tags-per-post ({per_post}) cannot exceed --tags ({tags})")]
    TooFewTags { per_post: u32, tags: u32 },
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for SeedError {
    fn from(error: diesel::result::Error) -> Self {
        SeedError::Database(error.into())
    }
}

/// Posts per batch: 8 columns a post and 3 a link (5 links a post, say) stay
/// under SQLite's and PostgreSQL's limits on bound parameters.
const BATCH: usize = 2000;
/// Zipf exponent: with 500 tags and 5 a post, the most popular tag is on
/// about a third of the posts and most tags are on fewer than 1%.
const ZIPF_EXPONENT: f64 = 0.8;

/// Writes the plan's data into an empty database, calling `progress` with
/// the number of posts written so far after each batch.
pub fn seed(
    conn: &mut DbConn,
    plan: &SeedPlan,
    mut progress: impl FnMut(u64),
) -> Result<SeedReport, SeedError> {
    if plan.tags_per_post > plan.tags {
        return Err(SeedError::TooFewTags {
            per_post: plan.tags_per_post,
            tags: plan.tags,
        });
    }
    let (post_count, tag_count): (i64, i64) = on_backend!(conn, c => {
        Ok::<_, diesel::result::Error>((
            posts::table.count().get_result(c)?,
            tags::table.count().get_result(c)?,
        ))
    })?;
    if post_count > 0 || tag_count > 0 {
        return Err(SeedError::NotEmpty {
            posts: post_count,
            tags: tag_count,
        });
    }

    let mut rng = StdRng::seed_from_u64(plan.seed);
    let now = now();
    let mut report = SeedReport::default();
    let tag_ids = write_tags(conn, plan.tags, now)?;
    report.tags = tag_ids.len() as u64;
    let popularity = Zipf::new(tag_ids.len(), ZIPF_EXPONENT);

    let mut written = 0u64;
    while written < plan.posts {
        let size = (plan.posts - written).min(BATCH as u64);
        let batch: Vec<SeedPost> = (written..written + size)
            .map(|index| SeedPost::generate(index, plan.tags_per_post, &popularity, now, &mut rng))
            .collect();
        conn.transaction(|conn| write_batch(conn, &batch, &tag_ids).map_err(DbError::from))?;
        for post in &batch {
            match post.kind {
                Kind::Published => report.published += 1,
                Kind::Draft => report.drafts += 1,
                Kind::Scheduled => report.scheduled += 1,
                Kind::Trashed => report.trashed += 1,
            }
            report.links += post.tags.len() as u64;
        }
        written += size;
        report.posts = written;
        progress(written);
    }
    // The load's count deltas would only be read to be outdone by a count.
    count_deltas::clear(conn)?;
    // Fresh statistics, so that the first queries are planned for the data
    // as it now is rather than for empty tables.
    on_backend!(conn, c => c.batch_execute("ANALYZE"))?;
    Ok(report)
}

/// Tag names: words of several scripts, in the casing people use, numbered
/// once the words run out (`Rust`, `rust 2`, `RUST 3`, …).
const WORDS: &[&str] = &[
    "Rust",
    "Web",
    "Databases",
    "PostgreSQL",
    "SQLite",
    "Linux",
    "Go",
    "Python",
    "C++",
    "C#",
    "JavaScript",
    "TypeScript",
    "Performance",
    "Security",
    "Testing",
    "DevOps",
    "Kubernetes",
    "Cloud",
    "Design",
    "UX",
    "Open Source",
    "Career",
    "Tutorial",
    "Release Notes",
    "Compilers",
    "Networking",
    "Async",
    "Embedded",
    "WebAssembly",
    "Machine Learning",
    "Café",
    "Über",
    "Straße",
    "Ñandú",
    "Émigré",
    "日本語",
    "東京",
    "Москва",
    "Ελληνικά",
    "العربية",
    "한국어",
    "Crab 🦀",
    "Zürich",
    "Kraków",
    "São Paulo",
    "Reykjavík",
    "naïve",
    "Ångström",
    "Œuvre",
    "Ça va",
];

fn tag_name(index: u32) -> String {
    let word = WORDS[index as usize % WORDS.len()];
    let round = index as usize / WORDS.len();
    let word = match index % 7 {
        3 => word.to_lowercase(),
        5 => word.to_uppercase(),
        _ => word.to_owned(),
    };
    if round == 0 {
        word
    } else {
        format!("{word} {}", round + 1)
    }
}

/// Inserts the tags; returns their ids, most popular first.
fn write_tags(conn: &mut DbConn, count: u32, now: NaiveDateTime) -> QueryResult<Vec<i64>> {
    let mut keys = HashSet::new();
    let mut slugs = HashSet::new();
    let mut names = Vec::with_capacity(count as usize);
    let mut index = 0;
    while names.len() < count as usize {
        let name = TagName::parse(&tag_name(index)).expect("seed tag names are valid");
        index += 1;
        if !keys.insert(name.key().to_owned()) {
            continue;
        }
        let slug = free_slug(&mut slugs, tag_slug_base(&name));
        names.push((name, slug));
    }
    let mut ids = Vec::with_capacity(names.len());
    for chunk in names.chunks(BATCH) {
        let rows: Vec<NewTagRow> = chunk
            .iter()
            .map(|(name, slug)| NewTagRow::named(name, slug.clone(), now))
            .collect();
        let inserted: Vec<(i64, String)> = on_backend!(conn, c => {
            diesel::insert_into(tags::table)
                .values(&rows)
                .returning((tags::id, tags::slug))
                .get_results(c)
        })?;
        let by_slug: HashMap<String, i64> =
            inserted.into_iter().map(|(id, slug)| (slug, id)).collect();
        ids.extend(chunk.iter().map(|(_, slug)| by_slug[slug]));
    }
    Ok(ids)
}

fn free_slug(taken: &mut HashSet<String>, base: String) -> String {
    let mut slug = base.clone();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Published,
    Draft,
    Scheduled,
    Trashed,
}

struct SeedPost {
    title: String,
    slug: String,
    body: String,
    excerpt: Option<String>,
    kind: Kind,
    published_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    /// Indexes into the tag list, most popular first; distinct.
    tags: Vec<usize>,
}

const SECONDS_IN_THREE_YEARS: i64 = 3 * 365 * 24 * 3600;

impl SeedPost {
    fn generate(
        index: u64,
        tags_per_post: u32,
        popularity: &Zipf,
        now: NaiveDateTime,
        rng: &mut StdRng,
    ) -> Self {
        let body_words = rng.random_range(20..120);
        let mut words = || WORDS[rng.random_range(0..WORDS.len())];
        let title = format!("{} and {}, part {}", words(), words(), index + 1);
        let body = (0..body_words)
            .map(|_| words())
            .collect::<Vec<_>>()
            .join(" ");
        let title = PostTitle::parse(&title).expect("seed titles are valid");
        // The part number makes every slug distinct without a lookup.
        let slug = post_slug_base(&title);
        let created_at = now - TimeDelta::seconds(rng.random_range(3600..SECONDS_IN_THREE_YEARS));
        let roll: f64 = rng.random();
        let (kind, published_at) = if roll < 0.10 {
            (Kind::Draft, None)
        } else if roll < 0.15 {
            let ahead = TimeDelta::seconds(rng.random_range(3600..60 * 24 * 3600));
            (Kind::Scheduled, Some(now + ahead))
        } else {
            let after = TimeDelta::seconds(rng.random_range(0..2 * 24 * 3600));
            let published = (created_at + after).min(now);
            let kind = if roll > 0.995 {
                Kind::Trashed
            } else {
                Kind::Published
            };
            (kind, Some(published))
        };
        let mut tags = Vec::with_capacity(tags_per_post as usize);
        while tags.len() < tags_per_post as usize {
            let tag = popularity.sample(rng);
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        SeedPost {
            excerpt: rng
                .random_bool(0.3)
                .then(|| format!("About {}", title.as_str())),
            title: title.as_str().to_owned(),
            slug,
            body,
            kind,
            published_at,
            created_at,
            tags,
        }
    }
}

fn write_batch(conn: &mut DbConn, batch: &[SeedPost], tag_ids: &[i64]) -> QueryResult<()> {
    let rows: Vec<NewPostRow> = batch
        .iter()
        .map(|post| NewPostRow {
            title: &post.title,
            slug: &post.slug,
            body: &post.body,
            excerpt: post.excerpt.as_deref(),
            status: match post.kind {
                Kind::Draft => PostStatus::Draft,
                _ => PostStatus::Published,
            },
            published_at: post.published_at,
            created_at: post.created_at,
            updated_at: post.published_at.unwrap_or(post.created_at),
            author_id: OWNER_ID,
        })
        .collect();
    let inserted: Vec<(i64, String)> = on_backend!(conn, c => {
        diesel::insert_into(posts::table)
            .values(&rows)
            .returning((posts::id, posts::slug))
            .get_results(c)
    })?;
    let ids: HashMap<String, i64> = inserted.into_iter().map(|(id, slug)| (slug, id)).collect();

    let links: Vec<NewPostTagRow> = batch
        .iter()
        .flat_map(|post| {
            let post_id = ids[&post.slug];
            post.tags
                .iter()
                .enumerate()
                .map(move |(position, &tag)| NewPostTagRow {
                    post_id,
                    tag_id: tag_ids[tag],
                    position: position as i32,
                })
        })
        .collect();
    let trashed: Vec<i64> = batch
        .iter()
        .filter(|post| post.kind == Kind::Trashed)
        .map(|post| ids[&post.slug])
        .collect();
    let trashed_at = now();
    on_backend!(conn, c => {
        // One statement per chunk, under the bound-parameter limits.
        for chunk in links.chunks(10_000) {
            diesel::insert_into(post_tags::table)
                .values(chunk)
                .execute(c)?;
        }
        if !trashed.is_empty() {
            diesel::update(posts::table.filter(posts::id.eq_any(&trashed)))
                .set(posts::deleted_at.eq(trashed_at))
                .execute(c)?;
        }
        Ok(())
    })
}

/// Ranks drawn with probability proportional to `1 / (rank + 1)^s`.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(count: usize, exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..count)
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(exponent);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn sample(&self, rng: &mut StdRng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&sum| sum < target)
            .min(self.cumulative.len() - 1)
    }
}
