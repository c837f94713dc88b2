//! Events, recorded by the write that causes them in its own transaction:
//! a rolled-back write records none, a committed one cannot lose them.
//! Each service says what a post or a tag was before and is after; these
//! decide which events that makes, as the public would see the change.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::db::visibility::{is_scheduled, is_visible};
use crate::db::webhooks::{self, NewEvent};
use crate::domain::webhooks::Event;
use crate::models::{PostRow, PostWithTags, TagRow};
use crate::services::ServiceResult;
use crate::services::purge_keys::{self, PurgeKeys};

/// The events of one transaction, recorded together in one statement.
#[derive(Debug, Default)]
pub struct Events {
    recorded: Vec<NewEvent>,
    /// Posts scheduled (again), and when they come due.
    scheduled: Vec<(i64, NaiveDateTime)>,
    /// Posts no longer scheduled.
    withdrawn: Vec<i64>,
}

/// A post after a write.
#[derive(Debug, Clone, Copy)]
pub enum PostAfter<'a> {
    /// Deleted for good.
    Gone,
    /// Its row, when the write did not read its tags.
    Row(&'a PostRow),
    /// With its author and tags, whose keys a purge names.
    Shown(&'a PostWithTags),
}

impl PostAfter<'_> {
    fn row(&self) -> Option<&PostRow> {
        match self {
            PostAfter::Gone => None,
            PostAfter::Row(row) => Some(row),
            PostAfter::Shown(shown) => Some(&shown.post),
        }
    }
}

impl Events {
    pub fn new() -> Self {
        Self::default()
    }

    /// What a write did to a post: `before` as it was (`None`: it did not
    /// exist), `after` as it is (`None`: deleted), with its tags and
    /// author when it still exists.
    pub fn post(&mut self, before: Option<&PostRow>, after: PostAfter<'_>, now: NaiveDateTime) {
        let after_row = after.row();
        let was_visible = before.is_some_and(|post| is_visible(post, now));
        let is_visible_now = after_row.is_some_and(|post| is_visible(post, now));
        let event = match (was_visible, is_visible_now) {
            (true, true) => Some(Event::PostUpdated),
            (false, true) => Some(Event::PostPublished),
            (true, false) => match after_row {
                Some(post) if post.deleted_at.is_none() => Some(Event::PostUnpublished),
                _ => Some(Event::PostDeleted),
            },
            (false, false) => None,
        };
        if let Some(event) = event {
            self.recorded.push(post_event(event, before, &after, now));
        }
        // A scheduled post waits for its time (see `came_due`); a new
        // schedule replaces the old one.
        let due = |post: Option<&PostRow>| {
            post.filter(|post| is_scheduled(post, now))
                .and_then(|post| post.published_at)
        };
        let (was_due, is_due) = (due(before), due(after_row));
        if is_due == was_due {
            return;
        }
        let id = after_row.or(before).expect("a post before or after").id;
        match is_due {
            Some(at) => self.scheduled.push((id, at)),
            None => self.withdrawn.push(id),
        }
    }

    /// A scheduled post came due at `at`: it is published, for the
    /// webhooks there are now.
    pub fn came_due(&mut self, post: &PostWithTags, at: NaiveDateTime) {
        let event = post_event(Event::PostPublished, None, &PostAfter::Shown(post), at);
        self.recorded.push(event);
    }

    /// What a write did to a tag, as the public sees tags: an internal tag
    /// is none of its business, so one made public is created for it, and
    /// one made internal deleted.
    pub fn tag(&mut self, before: Option<&TagRow>, after: Option<&TagRow>, now: NaiveDateTime) {
        let public = |tag: Option<&TagRow>| tag.is_some_and(|tag| tag.visibility().is_seen(false));
        let event = match (public(before), public(after)) {
            (false, true) => Event::TagCreated,
            (true, true) => Event::TagUpdated,
            (true, false) => Event::TagDeleted,
            (false, false) => return,
        };
        // A tag gone from the public's view is sent as the public knew it.
        let tag = match event {
            Event::TagDeleted => before,
            _ => after,
        };
        let tag = tag.expect("public before a delete, after anything else");
        let mut keys = PurgeKeys::new();
        keys.add(purge_keys::tag(tag.id)).add(purge_keys::TAGS);
        self.recorded.push(tag_event(event, tag, &keys, now));
    }

    /// `merged` was merged into `into`: one event, about the tag that stays.
    /// As the public sees it: a public tag merged into an internal one is
    /// gone, and an internal one merged into a public one changed the
    /// public one's posts.
    pub fn tag_merged(&mut self, merged: &TagRow, into: &TagRow, now: NaiveDateTime) {
        let public = |tag: &TagRow| tag.visibility().is_seen(false);
        match (public(merged), public(into)) {
            (true, true) => {
                let mut keys = PurgeKeys::new();
                keys.add(purge_keys::tag(merged.id))
                    .add(purge_keys::tag(into.id))
                    .add(purge_keys::TAGS);
                self.recorded
                    .push(tag_event(Event::TagMerged, into, &keys, now));
            }
            (true, false) => self.tag(Some(merged), None, now),
            (false, true) => self.tag(Some(into), Some(into), now),
            (false, false) => {}
        }
    }

    /// Writes the events (and withdraws replaced schedules), in the
    /// caller's transaction.
    pub fn record(self, conn: &mut DbConn, now: NaiveDateTime) -> ServiceResult<()> {
        if !self.withdrawn.is_empty() {
            webhooks::withdraw_scheduled(conn, &self.withdrawn)?;
        }
        for (post, at) in self.scheduled {
            webhooks::schedule(conn, post, at)?;
        }
        webhooks::fan_out(conn, &self.recorded, now)?;
        Ok(())
    }
}

fn post_event(
    event: Event,
    before: Option<&PostRow>,
    after: &PostAfter<'_>,
    occurred_at: NaiveDateTime,
) -> NewEvent {
    let row = after.row().or(before).expect("a post before or after");
    let mut keys = PurgeKeys::new();
    match after {
        PostAfter::Shown(shown) => keys.post(shown),
        _ => keys
            .add(purge_keys::post(row.id))
            .add(purge_keys::author(row.author_id)),
    };
    keys.add(purge_keys::POSTS).add(purge_keys::FEEDS);
    if event != Event::PostUpdated {
        // Tag and author counts show how many posts are visible.
        keys.add(purge_keys::TAGS).add(purge_keys::AUTHORS);
    }
    NewEvent {
        event: event.name(),
        subject: "post",
        subject_id: row.id,
        subject_slug: row.slug.clone(),
        purge_keys: keys.header_value(),
        occurred_at,
    }
}

fn tag_event(event: Event, tag: &TagRow, keys: &PurgeKeys, occurred_at: NaiveDateTime) -> NewEvent {
    NewEvent {
        event: event.name(),
        subject: "tag",
        subject_id: tag.id,
        subject_slug: tag.slug.clone(),
        purge_keys: keys.header_value(),
        occurred_at,
    }
}
