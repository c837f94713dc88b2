//! The `page` and `per_page` query parameters of a list that has nothing
//! else to filter by, one type per page size so that the OpenAPI document
//! names the right bounds.

use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{given, page_request};
use super::problem::ApiError;
use super::schemas;
use crate::domain::limits::{POST_PAGE, USER_PAGE};
use crate::domain::page::PageRequest;

/// A page of posts: a tag's or an author's.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostPageParams {
    /// From 1.
    #[param(minimum = 1, example = 1)]
    #[serde(default, deserialize_with = "given")]
    page: Option<u32>,
    #[param(schema_with = schemas::posts_per_page_schema)]
    #[serde(default, deserialize_with = "given")]
    per_page: Option<u32>,
}

impl PostPageParams {
    /// The page asked for, or a 400 naming the parameter at fault.
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        page_request(self.page, self.per_page, POST_PAGE)
    }
}

/// A page of people: users, keys, authors.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserPageParams {
    /// From 1.
    #[param(minimum = 1, example = 1)]
    #[serde(default, deserialize_with = "given")]
    page: Option<u32>,
    #[param(schema_with = schemas::users_per_page_schema)]
    #[serde(default, deserialize_with = "given")]
    per_page: Option<u32>,
}

impl UserPageParams {
    /// The page asked for, or a 400 naming the parameter at fault.
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        page_request(self.page, self.per_page, USER_PAGE)
    }
}
