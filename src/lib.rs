//! A blog backend: posts, get-or-create tags and exact tag counts, over
//! SQLite (embedded) or PostgreSQL.

pub mod cache;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod models;
pub mod operator;
pub mod outbox;
pub mod schema;
pub mod seed;
pub mod services;
mod startup;

pub use startup::{Application, StartError};
