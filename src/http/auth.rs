//! Bearer-token authentication: who is calling, from the `Authorization`
//! header — the operator's admin token (the owner), a session or a personal
//! key. Tokens other than the admin token are looked up by their digest,
//! from memory while nothing about people has changed since (one shared
//! reading of the committed changes proves it), else in the database.

use std::future::Future;
use std::pin::Pin;

use super::delivery::checked_on_arrival;
use super::problem::ApiError;
use crate::cache::Cache;
use crate::config::AdminToken;
use crate::db::Database;
use crate::db::change_counters::CommittedChanges;
use crate::domain::audience::{Audience, Credential, Identity, PostScope};
use crate::domain::time::now;
use crate::services::people::credentials;
use crate::services::people::secrets::token_digest;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

/// An extractor's answer, on its way.
type Pending<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The configured token, if any; without one only sessions and keys
/// authenticate.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub token: Option<AdminToken>,
}

/// Who is calling. No `Authorization` header is the public; a token that
/// is not valid is refused on every route, so a misconfigured client finds
/// out at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub identity: Option<Identity>,
    /// The committed changes read after the request arrived — to prove a
    /// remembered caller current, or on arrival of a revalidation by the
    /// public: a read for the same request takes them.
    pub checked: Option<CommittedChanges>,
}

impl Caller {
    const PUBLIC: Caller = Caller {
        identity: None,
        checked: None,
    };

    /// What the caller sees of posts.
    pub fn audience(&self) -> Audience {
        self.identity
            .map_or(Audience::Public, |identity| identity.audience())
    }

    /// The posts the caller sees beyond the visible ones; `None` for the
    /// public.
    pub fn post_scope(&self) -> Option<PostScope> {
        self.identity.map(|identity| identity.post_scope())
    }

    pub fn is_authenticated(&self) -> bool {
        self.identity.is_some()
    }

    async fn from_request(req: HttpRequest) -> Result<Self, ApiError> {
        let Some(value) = req.headers().get(header::AUTHORIZATION) else {
            return Ok(Caller {
                checked: checked_on_arrival(&req),
                ..Caller::PUBLIC
            });
        };
        let refused = || ApiError::Unauthorized {
            token_presented: true,
        };
        let value = value.to_str().map_err(|_| refused())?;
        let (scheme, presented) = value.split_once(' ').ok_or_else(refused)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(refused());
        }
        let presented = presented.trim();
        let admin_token = req
            .app_data::<web::Data<Auth>>()
            .and_then(|auth| auth.token.as_ref());
        if admin_token.is_some_and(|token| token.matches(presented)) {
            return Ok(Caller {
                identity: Some(Identity::OWNER),
                checked: None,
            });
        }
        let (Some(db), Some(cache)) = (
            req.app_data::<web::Data<Database>>(),
            req.app_data::<web::Data<Cache>>(),
        ) else {
            return Err(refused());
        };
        let digest = token_digest(presented);
        let checked = cache
            .check(db)
            .await
            .map_err(|error| ApiError::from(&error))?;
        let now = now();
        let identity = match cache.recall_caller(checked.people_changes, &digest, now) {
            Some(identity) => identity,
            None => {
                let found = db
                    .run(move |conn| credentials::identify(conn, &digest, now))
                    .await?;
                let (identity, expires_at) = found.ok_or_else(refused)?;
                cache.remember_caller(checked.people_changes, digest, identity, expires_at);
                identity
            }
        };
        if let Credential::Key(id) = identity.credential
            && cache.key_use_to_write(id)
        {
            record_key_use(db.clone(), id);
        }
        Ok(Caller {
            identity: Some(identity),
            checked: Some(checked),
        })
    }
}

/// Writes a key's `last_used_at` off the request's path: the request does
/// not wait for it, and a failure only leaves the time older.
fn record_key_use(db: web::Data<Database>, id: i64) {
    actix_web::rt::spawn(async move {
        if let Err(error) = db
            .run(move |conn| credentials::keys_used(conn, &[id]))
            .await
        {
            log::warn!("could not record the use of key {id}: {error}");
        }
    });
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(Caller::from_request(req.clone()))
    }
}

/// An authenticated caller, whatever their role.
#[derive(Debug, Clone, Copy)]
pub struct Staff(pub Identity);

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req.clone());
        Box::pin(async move {
            match caller.await?.identity {
                Some(identity) => Ok(Staff(identity)),
                None => Err(ApiError::Unauthorized {
                    token_presented: false,
                }),
            }
        })
    }
}
