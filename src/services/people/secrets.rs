//! Secrets: passwords hashed with Argon2id, and random bearer tokens kept
//! only as SHA-256 digests. Hashing a password takes tens of milliseconds
//! of CPU on purpose: callers run it on the blocking pool, never on an
//! async worker, and without holding a database connection.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::domain::people::Password;

/// Random bytes in a token: 256 bits, twice the least that is safe.
const TOKEN_BYTES: usize = 32;

pub use crate::domain::audience::TokenDigest;

/// A new bearer token (`prefix` then 64 hex digits) and its digest. The
/// prefix tells a session from a key at a glance and lets secret scanners
/// recognise a leaked one.
pub fn new_token(prefix: &str) -> (String, TokenDigest) {
    let mut bytes = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", hex::encode(bytes));
    let digest = token_digest(&token);
    (token, digest)
}

/// The digest a presented token is looked up by. A plain SHA-256 is right
/// for random tokens: there is nothing to guess that a slow hash would
/// protect.
pub fn token_digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// An Argon2id hash of the password (the crate's recommended parameters),
/// in the PHC string format, with its own random salt.
pub fn hash_password(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_str().as_bytes(), &salt)
        .expect("Argon2 with its default parameters hashes any password")
        .to_string()
}

/// A hash no password matches, verified when the email is unknown or has
/// no password, so that the answer takes as long as a wrong password's.
static NO_USER_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password(&Password::parse("no user has this password").expect("a valid password"))
});

/// Whether `presented` is the password `stored` hashes; with no stored
/// hash, the same work is done and the answer is no.
pub fn verify_password(presented: &str, stored: Option<&str>) -> bool {
    let (hash, real) = match stored {
        Some(hash) => (hash, true),
        None => (NO_USER_HASH.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        log::error!("a stored password hash is not in the PHC format");
        return false;
    };
    let matches = Argon2::default()
        .verify_password(presented.as_bytes(), &parsed)
        .is_ok();
    matches && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_kept_as_digests() {
        let (first, digest) = new_token("bs_");
        let (second, _) = new_token("bs_");
        assert_ne!(first, second);
        assert!(first.starts_with("bs_") && first.len() == 3 + 64);
        assert_eq!(token_digest(&first), digest);
        assert_ne!(token_digest(&second), digest);
    }

    #[test]
    fn passwords_verify_against_their_own_hash_only() {
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hash_password(&password);
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("correct horse"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterz", Some(&hash)));
        assert!(!verify_password("no user has this password", None));
        assert_ne!(hash, hash_password(&password), "each hash has its own salt");
    }
}
