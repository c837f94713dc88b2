//! The oracle of the tag counts in memory: a tag list answered by the
//! database, from one `GROUP BY` join with its own sorting, filtering and
//! paging, as the server once answered every `GET /tags`.

use blog_backend::cache::{TagListQuery, TagSort};
use blog_backend::db::DbConn;
use blog_backend::db::sql::escape_like;
use blog_backend::db::tag_counts::{
    tags_with_their_posts, total_post_count, visible_post_count, with_counts,
};
use blog_backend::db::visibility::visible;
use blog_backend::domain::page::{Page, PageRequest};
use blog_backend::models::{TagRow, TagWithCounts};
use blog_backend::schema::{post_tags, posts, tags};
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

/// A page of tags with their counts at `now`, and the total, in two
/// statements.
pub fn from_sql(
    conn: &mut DbConn,
    query: &TagListQuery,
    page: PageRequest,
    now: NaiveDateTime,
) -> Page<TagWithCounts> {
    let pattern = query
        .prefix
        .as_deref()
        .map(|p| format!("{}%", escape_like(p)));
    let (rows, total) = blog_backend::on_backend!(conn, c => {
        let mut select = tags_with_their_posts()
            .group_by(tags::id)
            .select((TagRow::as_select(), visible_post_count(now), total_post_count()))
            .into_boxed();
        if let Some(pattern) = &pattern {
            select = select.filter(tags::name_key.like(pattern.clone()).escape('\\'));
        }
        if !query.authenticated {
            select = select.filter(tags::name_key.not_like("#%"));
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
        let rows: Vec<(TagRow, i64, i64)> = select
            .limit(page.limit())
            .offset(page.offset())
            .load(c)
            .unwrap();

        let mut total = tags::table.select(count_star()).into_boxed();
        if let Some(pattern) = &pattern {
            total = total.filter(tags::name_key.like(pattern.clone()).escape('\\'));
        }
        if !query.authenticated {
            total = total.filter(tags::name_key.not_like("#%"));
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
        let total: i64 = total.first(c).unwrap();
        (rows, total)
    });
    Page {
        items: rows.into_iter().map(with_counts).collect(),
        request: page,
        total,
    }
}
