//! The bodies of the people routes, and how each becomes domain values.
//! Every rule defers to the domain type that parses the value.

use std::borrow::Cow;

use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::domain::limits::{KEY_NAME_MAX_CHARS, USER_BIO_MAX_CHARS};
use crate::domain::patch::Patch;
use crate::domain::people::{Email, Password, Role, UserName};
use crate::domain::text::{NUL_MESSAGE, at_most_message, has_nul, length_message};
use crate::http::extract::{BodyCheck, RequestBody, UnknownFields, check_body};
use crate::http::problem::ApiError;
use crate::http::rules::{not_null, required};
use crate::http::schemas;

fn invalid(code: &'static str, message: impl Into<Cow<'static, str>>) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

/// Runs `parse` on a value that is there; null is refused.
fn parsed<T>(
    value: &Patch<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<(), ValidationError> {
    not_null(value)?;
    if let Patch::Value(raw) = value {
        parse(raw).map_err(|message| invalid("invalid", message))?;
    }
    Ok(())
}

fn name(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed(value, UserName::parse)
}

fn email(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed(value, Email::parse)
}

fn role(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed(value, |raw| {
        Role::parse(raw).ok_or_else(Role::unknown_message)
    })
}

fn password(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed(value, Password::parse)
}

fn bio(value: &Patch<String>) -> Result<(), ValidationError> {
    match value {
        Patch::Value(text) if text.chars().count() > USER_BIO_MAX_CHARS => {
            Err(invalid("length", at_most_message(USER_BIO_MAX_CHARS)))
        }
        Patch::Value(text) if has_nul(text) => Err(invalid("nul", NUL_MESSAGE)),
        _ => Ok(()),
    }
}

fn required_name(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    name(value)
}

fn required_email(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    email(value)
}

fn required_role(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    role(value)
}

fn required_password(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    password(value)
}

/// Any string, but there and without NUL: what sign-in takes (a malformed
/// email is refused as an unknown one is; no email or password can hold
/// NUL, so refusing it tells nothing about accounts).
fn required_text(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    match value {
        Patch::Value(text) if has_nul(text) => Err(invalid("nul", NUL_MESSAGE)),
        _ => Ok(()),
    }
}

fn key_name(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    parsed(value, parse_key_name)
}

/// A key's name: trimmed, 1 to [`KEY_NAME_MAX_CHARS`] characters.
fn parse_key_name(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars == 0 || chars > KEY_NAME_MAX_CHARS {
        return Err(length_message(KEY_NAME_MAX_CHARS));
    }
    if has_nul(trimmed) {
        return Err(NUL_MESSAGE.to_owned());
    }
    Ok(trimmed.to_owned())
}

/// A parsed value of a field that passed its rule.
fn value_of<T>(
    field: &str,
    value: Patch<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    value
        .value()
        .map(|raw| parse(&raw).map_err(|message| ApiError::field(field, message)))
        .transpose()
}

fn role_of(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(Role::unknown_message)
}

/// `POST /users`. No `Debug`, here and below wherever a password is held.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(as = NewUser, example = json!({"name": "Ada Lovelace", "email": "ada@example.com",
    "role": "author", "password": "a long passphrase"}))]
pub struct NewUserBody {
    #[serde(default)]
    #[validate(custom(function = "required_name"))]
    #[schema(schema_with = schemas::user_name_schema, required = true)]
    name: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "required_email"))]
    #[schema(schema_with = schemas::email_schema, required = true)]
    email: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "required_role"))]
    #[schema(schema_with = schemas::role_schema, required = true)]
    role: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "required_password"))]
    #[schema(schema_with = schemas::password_schema, required = true)]
    password: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "bio"))]
    #[schema(schema_with = schemas::user_bio_schema)]
    bio: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for NewUserBody {
    const FIELDS: &'static [&'static str] = &["name", "email", "role", "password", "bio"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

/// A new user's fields, parsed; the password still to hash.
pub struct NewUserInput {
    pub name: UserName,
    pub email: Email,
    pub role: Role,
    pub password: Password,
    pub bio: Option<String>,
}

impl NewUserBody {
    pub(super) fn into_input(self) -> Result<NewUserInput, ApiError> {
        let missing = |field: &str| ApiError::field(field, "is required");
        Ok(NewUserInput {
            name: value_of("name", self.name, UserName::parse)?.ok_or_else(|| missing("name"))?,
            email: value_of("email", self.email, Email::parse)?.ok_or_else(|| missing("email"))?,
            role: value_of("role", self.role, role_of)?.ok_or_else(|| missing("role"))?,
            password: value_of("password", self.password, Password::parse)?
                .ok_or_else(|| missing("password"))?,
            bio: self.bio.value(),
        })
    }
}

/// `PATCH /users/{slug}`: absent leaves a field alone; `bio` may be `null`.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(as = UserChanges, example = json!({"bio": "Writes about compilers."}))]
pub struct UserFields {
    #[serde(default)]
    #[validate(custom(function = "name"))]
    #[schema(schema_with = schemas::user_name_schema)]
    name: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "email"))]
    #[schema(schema_with = schemas::email_schema)]
    email: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "bio"))]
    #[schema(schema_with = schemas::user_bio_schema)]
    bio: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "role"))]
    #[schema(schema_with = schemas::role_schema)]
    role: Patch<String>,
    /// A new password; changing one's own needs `current_password`, and
    /// ends one's other sessions.
    #[serde(default)]
    #[validate(custom(function = "password"))]
    #[schema(schema_with = schemas::password_schema)]
    password: Patch<String>,
    /// The password now, when changing one's own.
    #[serde(default)]
    #[validate(custom(function = "not_null"))]
    #[schema(value_type = Option<String>)]
    current_password: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for UserFields {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "email",
        "bio",
        "role",
        "password",
        "current_password",
    ];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

/// A change to a user, parsed; the password still to hash and check.
pub struct UserChangeInput {
    pub name: Option<UserName>,
    pub email: Option<Email>,
    pub bio: Patch<String>,
    pub role: Option<Role>,
    pub password: Option<Password>,
    pub current_password: Option<String>,
}

impl UserFields {
    pub(super) fn into_input(self) -> Result<UserChangeInput, ApiError> {
        Ok(UserChangeInput {
            name: value_of("name", self.name, UserName::parse)?,
            email: value_of("email", self.email, Email::parse)?,
            bio: self.bio,
            role: value_of("role", self.role, role_of)?,
            password: value_of("password", self.password, Password::parse)?,
            current_password: self.current_password.value(),
        })
    }
}

/// `POST /session`.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(as = SignIn, example = json!({"email": "ada@example.com", "password": "a long passphrase"}))]
pub struct SignInBody {
    #[serde(default)]
    #[validate(custom(function = "required_text"))]
    #[schema(value_type = String, required = true)]
    pub(super) email: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "required_text"))]
    #[schema(value_type = String, required = true, format = Password)]
    pub(super) password: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for SignInBody {
    const FIELDS: &'static [&'static str] = &["email", "password"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

/// `POST /keys`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = NewKey, example = json!({"name": "static site builder"}))]
pub struct NewKeyBody {
    #[serde(default)]
    #[validate(custom(function = "key_name"))]
    #[schema(schema_with = schemas::key_name_schema, required = true)]
    name: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for NewKeyBody {
    const FIELDS: &'static [&'static str] = &["name"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl NewKeyBody {
    pub(super) fn into_name(self) -> Result<String, ApiError> {
        value_of("name", self.name, parse_key_name)?
            .ok_or_else(|| ApiError::field("name", "is required"))
    }
}

/// Each people body parsed from the same bytes, down to domain values.
pub fn check_bodies(bytes: &[u8], outcomes: &mut Vec<BodyCheck>) {
    outcomes.push(check_body("POST /users", bytes, NewUserBody::into_input));
    outcomes.push(check_body(
        "PATCH /users/{slug}",
        bytes,
        UserFields::into_input,
    ));
    outcomes.push(check_body("POST /session", bytes, |body: SignInBody| {
        Ok((body.email.value(), body.password.value()))
    }));
    outcomes.push(check_body("POST /keys", bytes, NewKeyBody::into_name));
}
