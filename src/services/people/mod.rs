//! People: users and their roles, credentials, and the rules of who may do
//! what with them.

pub mod credentials;
pub mod rules;
pub mod secrets;
pub mod users;
