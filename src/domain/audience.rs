//! Who is asking.

use super::people::{OWNER_ID, Role};

/// The public sees visible posts only; the admin sees all. (Contributors
/// and authors read the public's lists, or lists of their own posts.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Admin,
}

/// The posts, beyond the visible ones, that a role sees and changes: the
/// posts rows of the role table, written once. Which posts each scope
/// admits is in `db::visibility`, in SQL and in Rust side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostScope {
    /// Editors and administrators: every post.
    Every,
    /// Authors: their own posts.
    Own(i64),
    /// Contributors: they see their own drafts and change those never
    /// published.
    OwnDrafts(i64),
}

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Credential {
    /// The operator's `ADMIN_TOKEN`: the owner.
    AdminToken,
    /// A session, by its id.
    Session(i64),
    /// A personal key, by its id.
    Key(i64),
}

/// An authenticated caller: a user, with the role they have now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub user_id: i64,
    pub role: Role,
    pub credential: Credential,
}

impl Identity {
    /// The owner, as the operator's admin token authenticates: always an
    /// administrator.
    pub const OWNER: Identity = Identity {
        user_id: OWNER_ID,
        role: Role::Administrator,
        credential: Credential::AdminToken,
    };

    /// The posts the caller's role lets them see (beyond the visible ones)
    /// and change.
    pub fn post_scope(&self) -> PostScope {
        match self.role {
            Role::Contributor => PostScope::OwnDrafts(self.user_id),
            Role::Author => PostScope::Own(self.user_id),
            Role::Editor | Role::Administrator => PostScope::Every,
        }
    }

    /// Which lists the caller reads: every post's, or the public's.
    pub fn audience(&self) -> Audience {
        match self.post_scope() {
            PostScope::Every => Audience::Admin,
            PostScope::Own(_) | PostScope::OwnDrafts(_) => Audience::Public,
        }
    }
}

/// The SHA-256 digest of a bearer token: what is stored and looked up.
pub type TokenDigest = [u8; 32];
