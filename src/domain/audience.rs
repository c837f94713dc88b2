//! Who is asking.

use super::people::Role;

/// The public sees visible posts only; the admin sees all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Admin,
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
    /// What the caller's role lets them see of posts.
    pub fn audience(&self) -> Audience {
        match self.role >= Role::Editor {
            true => Audience::Admin,
            false => Audience::Public,
        }
    }
}

/// The SHA-256 digest of a bearer token: what is stored and looked up.
pub type TokenDigest = [u8; 32];
