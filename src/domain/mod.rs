//! Values parsed at the edge, and the rules written once: once a request
//! has become one of these, the rest of the program can rely on its rules
//! without checking again. Nothing in here touches the database or HTTP.

pub mod audience;
pub mod freshness;
pub mod limits;
pub mod page;
pub mod patch;
pub mod people;
pub mod related;
pub mod slug;
pub mod tag_fields;
pub mod tag_name;
pub mod text;
pub mod time;
pub mod webhooks;
