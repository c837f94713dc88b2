//! What each role may do with users: the rules of the role table about
//! people, written once. Each answers `Err` with what the caller is told.

use crate::domain::audience::{Credential, Identity};
use crate::domain::people::Role;
use crate::models::UserRow;

type Rule = Result<(), String>;

fn refuse(message: &str) -> Rule {
    Err(message.to_owned())
}

/// The role a stored user has. The database holds only role names (a CHECK
/// keeps it so); anything else would get the least rights.
pub fn role_of(user: &UserRow) -> Role {
    Role::parse(&user.role).unwrap_or(Role::Contributor)
}

/// Editors and administrators list users.
pub fn may_list(actor: &Identity) -> Rule {
    match actor.role >= Role::Editor {
        true => Ok(()),
        false => refuse("only editors and administrators may list users"),
    }
}

/// Everyone reads themselves; editors and administrators read anyone.
pub fn may_read(actor: &Identity, user: &UserRow) -> Rule {
    match actor.user_id == user.id || actor.role >= Role::Editor {
        true => Ok(()),
        false => refuse("you may read only your own user"),
    }
}

/// A user's email is shown to administrators and to the user themself.
pub fn sees_email(actor: &Identity, user: &UserRow) -> bool {
    actor.role == Role::Administrator || actor.user_id == user.id
}

/// Administrators create users of any role; editors, contributors and
/// authors.
pub fn may_create(actor: &Identity, role: Role) -> Rule {
    match actor.role {
        Role::Administrator => Ok(()),
        Role::Editor if role <= Role::Author => Ok(()),
        Role::Editor => refuse("editors may create contributors and authors only"),
        _ => refuse("only editors and administrators may create users"),
    }
}

/// Who may change `user`, and to which role. Users change their own name,
/// email, bio and password; administrators change anyone, role included;
/// editors change contributors and authors, role only among those two. The
/// owner stays an administrator.
pub fn may_edit(actor: &Identity, user: &UserRow, new_role: Option<Role>) -> Rule {
    let target = role_of(user);
    let changes_role = new_role.is_some_and(|role| role != target);
    if user.is_owner && changes_role {
        return refuse("the owner is always an administrator");
    }
    match actor.role {
        Role::Administrator => Ok(()),
        Role::Editor if target <= Role::Author => match new_role {
            Some(role) if role > Role::Author => {
                refuse("editors may give the roles contributor and author only")
            }
            _ => Ok(()),
        },
        _ if actor.user_id == user.id && !changes_role => Ok(()),
        _ if actor.user_id == user.id => refuse("only administrators may change roles"),
        _ => refuse("you may not change this user"),
    }
}

/// Whether changing this user's password takes their current one (when
/// they have one): when they change their own, except through the
/// operator's admin token, which stands above every password.
pub fn needs_current_password(actor: &Identity, user: &UserRow) -> bool {
    actor.user_id == user.id && actor.credential != Credential::AdminToken
}

/// Administrators delete users, except the owner.
pub fn may_delete(actor: &Identity, user: &UserRow) -> Rule {
    if actor.role != Role::Administrator {
        return refuse("only administrators may delete users");
    }
    match user.is_owner {
        true => refuse("the owner cannot be deleted"),
        false => Ok(()),
    }
}

/// Everyone manages their own keys; administrators everyone's.
pub fn may_manage_key(actor: &Identity, key_owner: i64) -> bool {
    actor.user_id == key_owner || sees_every_key(actor)
}

/// Administrators list and delete everyone's keys.
pub fn sees_every_key(actor: &Identity) -> bool {
    actor.role == Role::Administrator
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;

    fn actor(user_id: i64, role: Role) -> Identity {
        Identity {
            user_id,
            role,
            credential: Credential::Session(1),
        }
    }

    fn user(id: i64, role: Role, is_owner: bool) -> UserRow {
        UserRow {
            id,
            name: "U".into(),
            slug: "u".into(),
            email: None,
            role: role.as_str().into(),
            bio: None,
            is_owner,
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn editors_manage_contributors_and_authors_only() {
        let editor = actor(2, Role::Editor);
        assert!(may_create(&editor, Role::Author).is_ok());
        assert!(may_create(&editor, Role::Editor).is_err());
        assert!(
            may_edit(
                &editor,
                &user(3, Role::Contributor, false),
                Some(Role::Author)
            )
            .is_ok()
        );
        assert!(may_edit(&editor, &user(3, Role::Author, false), Some(Role::Editor)).is_err());
        assert!(may_edit(&editor, &user(4, Role::Editor, false), None).is_err());
        assert!(may_delete(&editor, &user(3, Role::Author, false)).is_err());
    }

    #[test]
    fn users_change_themselves_but_not_their_role() {
        let author = actor(5, Role::Author);
        let own = user(5, Role::Author, false);
        assert!(may_edit(&author, &own, None).is_ok());
        assert!(may_edit(&author, &own, Some(Role::Author)).is_ok());
        assert!(may_edit(&author, &own, Some(Role::Editor)).is_err());
        assert!(may_edit(&author, &user(6, Role::Contributor, false), None).is_err());
        assert!(may_read(&author, &own).is_ok());
        assert!(may_read(&author, &user(6, Role::Author, false)).is_err());
        assert!(may_list(&author).is_err());
    }

    #[test]
    fn the_owner_stays_an_administrator_and_cannot_be_deleted() {
        let admin = actor(7, Role::Administrator);
        let owner = user(1, Role::Administrator, true);
        assert!(may_edit(&admin, &owner, Some(Role::Editor)).is_err());
        assert!(may_edit(&admin, &owner, Some(Role::Administrator)).is_ok());
        assert!(may_delete(&admin, &owner).is_err());
        assert!(may_delete(&admin, &user(8, Role::Editor, false)).is_ok());
    }
}
