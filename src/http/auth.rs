//! Bearer-token authentication: who is calling, from the `Authorization`
//! header and the operator's admin token.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::problem::ApiError;
use crate::config::AdminToken;
use crate::domain::audience::Audience;

/// The configured token, if any; without one every admin request is refused.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub token: Option<AdminToken>,
}

/// Who is calling. No `Authorization` header is the public; a right token
/// is the admin; a wrong or malformed one is refused on every route, so a
/// misconfigured client finds out at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller(pub Audience);

impl Caller {
    pub fn is_admin(self) -> bool {
        self.0 == Audience::Admin
    }

    fn from_request(req: &HttpRequest) -> Result<Self, ApiError> {
        let Some(value) = req.headers().get(header::AUTHORIZATION) else {
            return Ok(Caller(Audience::Public));
        };
        let refused = ApiError::Unauthorized {
            token_presented: true,
        };
        let value = value.to_str().map_err(|_| ApiError::Unauthorized {
            token_presented: true,
        })?;
        let (scheme, presented) = value.split_once(' ').ok_or(ApiError::Unauthorized {
            token_presented: true,
        })?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(refused);
        }
        let configured = req
            .app_data::<web::Data<Auth>>()
            .and_then(|auth| auth.token.as_ref());
        match configured {
            Some(token) if token.matches(presented.trim()) => Ok(Caller(Audience::Admin)),
            _ => Err(refused),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Caller::from_request(req))
    }
}

/// An extractor that admits the admin only.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Caller::from_request(req) {
            Ok(caller) if caller.is_admin() => Ok(Admin),
            Ok(_) => Err(ApiError::Unauthorized {
                token_presented: false,
            }),
            Err(error) => Err(error),
        })
    }
}
