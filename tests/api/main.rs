//! Integration tests over real HTTP, each on SQLite and on PostgreSQL with a
//! database of its own. One binary, so they link once.

mod helpers;

mod aliases;
mod author_counts;
mod authors;
mod bulk;
mod concurrency;
mod counts;
mod deep_pages;
mod delivery;
mod delivery_instances;
mod errors;
mod faults;
mod feeds;
mod incremental;
mod internal_tags;
mod limits;
mod metrics;
mod old_slugs;
mod openapi;
mod page_links;
mod patch;
mod people;
mod people_process;
mod posts;
mod process;
mod proxy;
mod races;
mod related;
mod revocation;
mod roles;
mod rules;
mod search;
mod security;
mod seed;
mod shutdown;
mod statements;
mod tag_admin;
mod tag_fields;
mod tag_instances;
mod tag_lists;
mod tags;
mod visibility;
