//! What the server keeps in memory, and how it is proven current.
//!
//! Counting every tag's posts is one `GROUP BY` join over all post-tag
//! links ([`crate::db::tag_counts`]): linear in the links, and the one
//! expensive read of a blog. Each server keeps its result in memory
//! ([`TagCounts`]), with answers read since (pages of posts, single
//! posts), and proves them current on every read with one cheap statement:
//! the committed changes ([`crate::db::change_counters`]), which grow, by
//! trigger, in every transaction that could change what they show,
//! whichever instance made it.
//!
//! - The counts are taken in one snapshot together with the committed
//!   `count_changes`, and used while a request's reading of it is no
//!   greater — and, since a scheduled post becomes visible at its date,
//!   until the earliest one comes due. Then they are brought up to date by
//!   applying the changes written since ([`crate::db::count_deltas`]) or
//!   moving what came due into view (`tallies.rs`, `schedule.rs`), and
//!   counted afresh only when the log of changes cannot say.
//! - A page or a post is answered from memory to a request that read both
//!   counters as they were when it was read; a remembered post keeps its
//!   state, so whether the public may see it is decided at each request.
//! - One reading of the counters serves the requests that arrive while it
//!   is made (`single_flight.rs`): a request takes the first reading that
//!   *began after it arrived*, so it sees every write committed before.
//!
//! - A public answer's ETag is known by its request target for the same
//!   reading of the counters (`known_etags.rs`): a client revalidating it
//!   is answered `304` after the shared check alone.
//!
//! A write is therefore seen by the next read on any instance, as when every
//! read goes to the database. Reads come through [`Cache::read`]: a read is
//! a [`CachedRead`], which says what it takes from memory and what it asks
//! the database otherwise.

mod callers;
mod counts;
mod known_etags;
mod ordered_keys;
mod read_through;
mod remembered;
mod schedule;
mod single_flight;
mod split_counter;
mod tag_counts;
mod tallies;
pub mod upkeep;

pub use known_etags::{KnownEtag, KnownEtags};
pub use ordered_keys::ListKey;
pub use read_through::{
    Cache, CachedRead, CountedMemory, Fresh, Lookup, Memory, MemoryKind, MemoryStore,
};
pub use remembered::{PageKey, PostPage};
pub use tag_counts::{ListOrder, TagCounts, TagListQuery, TagSort, TotalKey};
