//! The tallies held against counting afresh.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;

use super::*;
use crate::models::TagAliases;

/// A post's part in the counts: not trashed, and visible from when
/// (published with a date).
type State = (bool, Option<i64>);

/// Moments some hours apart, so that schedules span several days.
fn at(hours: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + TimeDelta::hours(hours)
}

fn tag(id: i64) -> TagWithCounts {
    let row = TagRow {
        id,
        name: format!("t{id}"),
        name_key: format!("t{id}"),
        slug: format!("t{id}"),
        description: None,
        created_at: at(0),
        feature_image: None,
        accent_color: None,
        meta_title: None,
        meta_description: None,
        aliases: TagAliases::default(),
    };
    TagWithCounts {
        tag: row,
        post_count: 0,
        total_count: 0,
    }
}

/// A post: its state, its tags, its author.
type Post = (State, Vec<i64>, i64);

/// Each tag's visible and total posts.
type TagCounted = BTreeMap<i64, (i64, i64)>;
/// Each author's visible posts.
type AuthorCounted = BTreeMap<i64, i64>;

fn author(id: i64) -> AuthorWithCount {
    AuthorWithCount {
        author: AuthorProfileRow {
            id,
            name: format!("a{id}"),
            slug: format!("a{id}"),
            bio: None,
        },
        post_count: 0,
    }
}

/// What the `GROUP BY`s would say at `now` of these posts: each tag's
/// counts, each author's visible posts, the visible posts.
fn counted(posts: &BTreeMap<i64, Post>, now: i64) -> (TagCounted, AuthorCounted, i64) {
    let mut tags: BTreeMap<i64, (i64, i64)> = (0..4).map(|id| (id, (0, 0))).collect();
    let mut authors: BTreeMap<i64, i64> = (0..3).map(|id| (id, 0)).collect();
    let mut visible_posts = 0;
    for ((counted, public_at), links, author) in posts.values() {
        let visible = *counted && public_at.is_some_and(|date| date <= now);
        visible_posts += i64::from(visible);
        *authors.get_mut(author).unwrap() += i64::from(visible);
        for tag in links {
            let entry = tags.get_mut(tag).unwrap();
            entry.0 += i64::from(visible);
            entry.1 += i64::from(*counted);
        }
    }
    (tags, authors, visible_posts)
}

/// The deltas the triggers write when a post goes from `old` to `new`.
fn deltas(post_id: i64, old: Option<&Post>, new: Option<&Post>) -> Vec<CountDelta> {
    let mut out = Vec::new();
    for (side, sign) in [(old, -1), (new, 1)] {
        if let Some(((true, public_at), links, author)) = side {
            let public_at = public_at.map(at);
            out.push(CountDelta::Post {
                post_id,
                posts: sign,
                public_at,
                published_at: public_at,
                author_id: Some(*author),
            });
            for tag_id in links {
                out.push(CountDelta::Link {
                    tag_id: *tag_id,
                    posts: sign,
                    public_at,
                });
            }
        }
    }
    out
}

fn post() -> impl Strategy<Value = Post> {
    let state = (any::<bool>(), proptest::option::of(0..60i64));
    (
        state,
        proptest::collection::btree_set(0..4i64, 0..4),
        0..3i64,
    )
        .prop_map(|(state, links, author)| (state, links.into_iter().collect(), author))
}

proptest! {
    /// Applying the deltas of any writes (a post's author changing
    /// too), and moving the clock on, gives what counting afresh gives
    /// at every moment.
    #[test]
    fn applying_deltas_equals_counting_afresh(
        writes in proptest::collection::vec((0..6i64, proptest::option::of(post()), 0..5i64), 1..40),
    ) {
        let mut posts: BTreeMap<i64, Post> = BTreeMap::new();
        let mut tallies = Tallies::new(
            (0..4).map(tag).collect(),
            (0..3).map(author).collect(),
            0,
            at(0),
            Vec::new(),
            ListOrders::default(),
        );
        let mut now = 0;
        for (id, new, wait) in writes {
            let old = posts.get(&id).cloned();
            // As the counts do: to the moment of reading, then the changes.
            now += wait;
            tallies.advance(at(now));
            tallies.apply(&deltas(id, old.as_ref(), new.as_ref()), Vec::new(), Vec::new());
            match new {
                Some(new) => posts.insert(id, new),
                None => posts.remove(&id),
            };
            let (expected, expected_authors, visible_posts) = counted(&posts, now);
            let actual: BTreeMap<i64, (i64, i64)> = tallies
                .tags
                .iter()
                .map(|(id, t)| (*id, (t.post_count, t.total_count)))
                .collect();
            prop_assert_eq!(actual, expected);
            let authors: BTreeMap<i64, i64> = tallies
                .authors
                .iter()
                .map(|(id, a)| (*id, a.post_count))
                .collect();
            prop_assert_eq!(authors, expected_authors);
            prop_assert_eq!(tallies.visible_posts, visible_posts);
            prop_assert!(tallies.next_due().is_none_or(|due| due > at(now)));
            let listed = posts.values().filter(|((counted, _), _, _)| *counted).count();
            prop_assert_eq!(tallies.admin_order.len(), listed);
            let dated = posts
                .values()
                .filter(|((counted, date), _, _)| *counted && date.is_some())
                .count();
            prop_assert_eq!(tallies.public_order.len(), dated);
        }
    }
}

#[test]
fn a_tag_named_by_a_change_and_gone_is_deleted_with_what_it_had_scheduled() {
    let scheduled = vec![(Counter::Tag(1), at(5), 1)];
    let orders = ListOrders::default();
    let mut tallies = Tallies::new(
        vec![tag(1), tag(2)],
        Vec::new(),
        0,
        at(0),
        scheduled,
        orders,
    );
    let mut renamed = tag(2).tag;
    renamed.name = "renamed".into();
    tallies.apply(
        &[CountDelta::Tag(1), CountDelta::Tag(2), CountDelta::Tag(3)],
        vec![renamed, tag(3).tag],
        Vec::new(),
    );
    let mut ids: Vec<i64> = tallies.tags.keys().copied().collect();
    ids.sort();
    assert_eq!(ids, [2, 3]);
    assert_eq!(tallies.tags[&2].tag.name, "renamed");
    assert_eq!(tallies.next_due(), None);
}

#[test]
fn a_user_named_by_a_change_is_read_again_and_one_gone_is_deleted() {
    let at = |hours: u32| {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(hours, 0, 0)
            .unwrap()
    };
    let row = |id: i64, name: &str| AuthorProfileRow {
        id,
        name: name.into(),
        slug: name.to_lowercase(),
        bio: None,
    };
    let authors = vec![
        AuthorWithCount {
            author: row(1, "Ada"),
            post_count: 3,
        },
        AuthorWithCount {
            author: row(2, "Bo"),
            post_count: 1,
        },
    ];
    let scheduled = vec![(Counter::Author(2), at(5), 1)];
    let orders = ListOrders::default();
    let mut tallies = Tallies::new(Vec::new(), authors, 0, at(0), scheduled, orders);
    tallies.apply(
        &[
            CountDelta::User(1),
            CountDelta::User(2),
            CountDelta::User(3),
        ],
        Vec::new(),
        vec![row(1, "Ada King"), row(3, "Cy")],
    );
    let mut ids: Vec<i64> = tallies.authors.keys().copied().collect();
    ids.sort();
    assert_eq!(ids, [1, 3]);
    assert_eq!(tallies.authors[&1].author.name, "Ada King");
    assert_eq!(
        tallies.authors[&1].post_count, 3,
        "a rename keeps the count"
    );
    assert_eq!(tallies.authors[&3].post_count, 0);
    assert_eq!(tallies.next_due(), None);
}
