//! What each role may do with posts and tags: the rules of the role table
//! about them, written once. Which posts a role sees and changes is its
//! [`PostScope`]; the rest are here.

use chrono::NaiveDateTime;

use crate::db::visibility::{is_changeable_by, is_seen_by};
use crate::domain::audience::{Identity, PostScope};
use crate::domain::people::Role;
use crate::models::{PostRow, PostStatus};
use crate::services::tag_names::NewTags;
use crate::services::{ServiceError, ServiceResult};

fn refuse(message: &str) -> ServiceResult<()> {
    Err(ServiceError::Forbidden(message.to_owned()))
}

/// A post the caller wants to change: one they may not see is 404 (its
/// existence is not revealed), one they see but may not change is 403.
pub fn may_change(actor: &Identity, post: &PostRow, now: NaiveDateTime) -> ServiceResult<()> {
    let scope = actor.post_scope();
    if !is_seen_by(Some(scope), post, now) {
        return Err(ServiceError::NotFound("post"));
    }
    match (is_changeable_by(scope, post), scope) {
        (true, _) => Ok(()),
        (false, PostScope::OwnDrafts(user_id)) if post.author_id == user_id => {
            refuse("contributors change their own posts only while they have never been published")
        }
        (false, _) => refuse("you may change only your own posts"),
    }
}

/// Whether the caller decides if and when posts are published:
/// contributors write drafts, and do not publish, schedule or unpublish.
pub fn may_publish(actor: &Identity) -> ServiceResult<()> {
    match actor.role {
        Role::Contributor => refuse(
            "contributors write drafts; an author or editor publishes, schedules or unpublishes",
        ),
        _ => Ok(()),
    }
}

/// What a new post or a change asks of publishing: a status or a date. A
/// contributor may only keep a post a draft with no date.
pub fn may_date(actor: &Identity, status: Option<PostStatus>, dated: bool) -> ServiceResult<()> {
    match status == Some(PostStatus::Published) || dated {
        true => may_publish(actor),
        false => Ok(()),
    }
}

/// Whether naming a tag that does not exist yet creates it: contributors
/// use existing tags only.
pub fn may_create_tags(actor: &Identity) -> bool {
    actor.role >= Role::Author
}

/// What the caller's tag names do with names that are no tag yet.
pub fn new_tags(actor: &Identity) -> NewTags {
    match may_create_tags(actor) {
        true => NewTags::Create,
        false => NewTags::Refuse,
    }
}

/// `POST /tags`: authors and above.
pub fn may_create_tag(actor: &Identity) -> ServiceResult<()> {
    match may_create_tags(actor) {
        true => Ok(()),
        false => refuse("contributors use existing tags only"),
    }
}

/// Renaming, deleting and merging tags: editors and administrators.
pub fn may_manage_tags(actor: &Identity) -> ServiceResult<()> {
    match actor.role >= Role::Editor {
        true => Ok(()),
        false => refuse("only editors and administrators change, delete or merge tags"),
    }
}

/// Giving a post an author other than its writer: editors and
/// administrators.
pub fn may_set_author(actor: &Identity) -> ServiceResult<()> {
    match actor.role >= Role::Editor {
        true => Ok(()),
        false => refuse("only editors and administrators set a post's author"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audience::Credential;
    use crate::domain::time::now;

    fn caller(role: Role) -> Identity {
        Identity {
            user_id: 7,
            role,
            credential: Credential::Session(1),
        }
    }

    fn post(author_id: i64, status: PostStatus, dated: bool) -> PostRow {
        let now = now();
        PostRow {
            id: 1,
            title: "A post".into(),
            slug: "a-post".into(),
            body: String::new(),
            excerpt: None,
            status,
            published_at: dated.then_some(now + chrono::TimeDelta::days(1)),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            version: 1,
            author_id,
        }
    }

    fn status_of(result: ServiceResult<()>) -> u16 {
        match result {
            Ok(()) => 200,
            Err(ServiceError::NotFound(_)) => 404,
            Err(ServiceError::Forbidden(_)) => 403,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn each_role_changes_the_posts_of_its_row() {
        let now = now();
        let own_draft = post(7, PostStatus::Draft, false);
        let own_dated_draft = post(7, PostStatus::Draft, true);
        let own_scheduled = post(7, PostStatus::Published, true);
        let others_draft = post(8, PostStatus::Draft, false);
        let others_scheduled = post(8, PostStatus::Published, true);
        let cases = [
            (Role::Contributor, [200, 403, 404, 404, 404]),
            (Role::Author, [200, 200, 200, 404, 404]),
            (Role::Editor, [200, 200, 200, 200, 200]),
            (Role::Administrator, [200, 200, 200, 200, 200]),
        ];
        for (role, expected) in cases {
            let actor = caller(role);
            let got = [
                &own_draft,
                &own_dated_draft,
                &own_scheduled,
                &others_draft,
                &others_scheduled,
            ]
            .map(|post| status_of(may_change(&actor, post, now)));
            assert_eq!(got, expected, "{role}");
        }
    }

    #[test]
    fn only_contributors_are_refused_dates_and_new_tags() {
        let contributor = caller(Role::Contributor);
        assert!(may_date(&contributor, Some(PostStatus::Draft), false).is_ok());
        assert!(may_date(&contributor, Some(PostStatus::Published), false).is_err());
        assert!(may_date(&contributor, None, true).is_err());
        assert!(!may_create_tags(&contributor));
        let author = caller(Role::Author);
        assert!(may_date(&author, Some(PostStatus::Published), true).is_ok());
        assert!(may_create_tags(&author) && may_create_tag(&author).is_ok());
        assert!(may_manage_tags(&author).is_err() && may_set_author(&author).is_err());
        let editor = caller(Role::Editor);
        assert!(may_manage_tags(&editor).is_ok() && may_set_author(&editor).is_ok());
    }
}
