//! The operator's commands for people, run from the command line against
//! the configured database: the first administrator can be made without
//! `ADMIN_TOKEN`. They act as the owner would.

use crate::config::Config;
use crate::db::{self, DbConn};
use crate::domain::audience::{Credential, Identity};
use crate::domain::page::PageRequest;
use crate::domain::people::{Email, OWNER_ID, Password, Role, UserName, email_key};
use crate::models::UserRow;
use crate::services::people::secrets::{hash_password, new_token};
use crate::services::people::users::{self, NewUser};

/// The owner, as the operator acts.
const OPERATOR: Identity = Identity {
    user_id: OWNER_ID,
    role: Role::Administrator,
    credential: Credential::AdminToken,
};

fn connect(config: &Config) -> Result<DbConn, String> {
    db::migrate(&config.database_url).map_err(|error| error.to_string())?;
    DbConn::establish(&config.database_url).map_err(|error| error.to_string())
}

/// A password for someone who did not give one: 160 random bits, in hex.
pub fn generated_password() -> String {
    let (token, _) = new_token("");
    token[..40].to_owned()
}

/// Creates a user; bad input is refused naming the field.
pub fn create_user(
    config: &Config,
    email: &str,
    name: &str,
    role: &str,
    password: &str,
) -> Result<UserRow, String> {
    fn field(name: &'static str) -> impl Fn(String) -> String {
        move |message| format!("{name}: {message}")
    }
    let new = NewUser {
        name: UserName::parse(name).map_err(field("--name"))?,
        email: Email::parse(email).map_err(field("--email"))?,
        role: Role::parse(role).ok_or_else(|| field("--role")(Role::unknown_message()))?,
        bio: None,
        password_hash: hash_password(&Password::parse(password).map_err(field("password"))?),
    };
    let mut conn = connect(config)?;
    users::create(&mut conn, &OPERATOR, new).map_err(|error| match error {
        crate::services::ServiceError::EmailTaken { slug } => {
            format!("--email: already the email of the user `{slug}`")
        }
        other => other.to_string(),
    })
}

/// Sets the password of the user with this email (or, for a user with no
/// email such as the owner at first, this slug); their sessions end.
pub fn set_password(config: &Config, who: &str, password: &str) -> Result<UserRow, String> {
    let password = Password::parse(password).map_err(|message| format!("password: {message}"))?;
    let hash = hash_password(&password);
    let mut conn = connect(config)?;
    let user = match db::users::by_email_key(&mut conn, &email_key(who)) {
        Ok(Some(user)) => user,
        Ok(None) => db::users::by_slug(&mut conn, who)
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("no user has the email or slug `{who}`"))?,
        Err(error) => return Err(error.to_string()),
    };
    users::set_password(&mut conn, user.id, &hash).map_err(|error| error.to_string())?;
    Ok(user)
}

/// Every user, by name.
pub fn list_users(config: &Config) -> Result<Vec<UserRow>, String> {
    let mut conn = connect(config)?;
    let mut all = Vec::new();
    for page in 1.. {
        let request = PageRequest {
            page,
            per_page: 200,
        };
        let found = users::list(&mut conn, &OPERATOR, request).map_err(|e| e.to_string())?;
        let done = found.items.len() < 200;
        all.extend(found.items);
        if done {
            break;
        }
    }
    Ok(all)
}
