//! Who is asking.

/// The public sees visible posts only; the admin sees all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Admin,
}
