//! One attempt at one delivery: a signed `POST`, answered `2xx` within the
//! timeout or not.

use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::redirect::Policy;
use sha2::Sha256;

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The client every delivery goes through: redirects are not followed (a
/// receiver that moved is told so by its failures, and a redirect cannot
/// send the body where the administrator did not).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(TIMEOUT)
        .user_agent(concat!("blog-backend-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client's settings are valid")
}

/// `sha256=` and the hex HMAC-SHA256 of the body with the secret.
pub fn signature(secret: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What the receiver answered: its status, and whether it was a success;
/// or why there was no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.error.is_none()
            && self
                .status
                .is_some_and(|status| (200..300).contains(&status))
    }
}

/// A delivery ready to send.
pub struct Request<'a> {
    pub url: &'a str,
    pub secret: &'a str,
    pub event: &'a str,
    pub delivery_id: &'a str,
    pub body: &'a str,
}

pub async fn send(client: &reqwest::Client, request: Request<'_>) -> Outcome {
    let sent = client
        .post(request.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Webhook-Event", request.event)
        .header("X-Webhook-Id", request.delivery_id)
        .header(
            "X-Webhook-Signature",
            signature(request.secret, request.body),
        )
        .body(request.body.to_owned())
        .send()
        .await;
    match sent {
        Ok(answer) => {
            let status = answer.status();
            Outcome {
                status: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("answered {status}")),
            }
        }
        Err(error) => Outcome {
            status: None,
            error: Some(describe(error)),
        },
    }
}

/// Why a request got no answer, without the URL (its query may hold a
/// receiver's token).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    if error.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    /// RFC 4231's second test case.
    #[test]
    fn signs_with_hmac_sha256() {
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
