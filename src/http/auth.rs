//! Bearer-token authentication. The token comes from the operator's
//! environment, is compared in constant time and is never logged.

use std::fmt;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use subtle::ConstantTimeEq;

use super::problem::ApiError;
use crate::services::Audience;

/// The admin token. Its `Debug` output is redacted so that it cannot leak
/// into logs through a configuration dump.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    /// `None` for an empty token: an empty secret would admit anyone who
    /// sends `Authorization: Bearer ` with nothing after it.
    pub fn new(token: String) -> Option<Self> {
        (!token.is_empty()).then_some(Self(token))
    }

    /// Constant time in the presented token's length, whatever the
    /// expected token is, so timing reveals neither its bytes nor its length.
    fn matches(&self, presented: &str) -> bool {
        let expected = self.0.as_bytes();
        let presented = presented.as_bytes();
        let mut equal = expected.len().ct_eq(&presented.len());
        for (i, byte) in presented.iter().enumerate() {
            equal &= byte.ct_eq(&expected[i % expected.len()]);
        }
        equal.into()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(***)")
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_exactly() {
        let token = AdminToken::new("s3cret-token".into()).unwrap();
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-tokem"));
        assert!(!token.matches("s3cret-token-and-more"));
        assert!(!token.matches("s3cret"));
        assert!(!token.matches(""));
        assert!(AdminToken::new(String::new()).is_none());
        assert_eq!(format!("{token:?}"), "AdminToken(***)");
    }
}
