//! Pages of lists: the `page` and `per_page` query parameters of a list
//! that has nothing else to filter by (one type per page size, so that the
//! OpenAPI document names the right bounds), and the headers that link a
//! page to the others.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::{Deserialize, Serialize};
use url::form_urlencoded;
use utoipa::IntoParams;

use super::extract::{given, page_request};
use super::problem::ApiError;
use super::{schemas, views};
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

/// The answer to a request for a page of a list: `body`, with
/// `X-Total-Count` and a `Link` (RFC 8288) to the first, previous, next and
/// last pages, each when it exists, the request's other parameters kept.
pub fn page_response<T>(
    req: &HttpRequest,
    list: &views::List<T>,
    body: &impl Serialize,
) -> HttpResponse {
    page_answer(HttpResponse::Ok(), req, list, body)
}

/// [`page_response`] on an answer already begun (with its caching headers).
pub fn page_answer<T>(
    mut answer: HttpResponseBuilder,
    req: &HttpRequest,
    list: &views::List<T>,
    body: &impl Serialize,
) -> HttpResponse {
    answer.insert_header(("X-Total-Count", list.total.to_string()));
    if let Some(links) = page_links(req.path(), req.query_string(), list.page, list.total_pages) {
        answer.insert_header((header::LINK, links));
    }
    answer.json(body)
}

/// The `Link` header's value for page `page` of `total_pages`.
fn page_links(path: &str, query: &str, page: u32, total_pages: i64) -> Option<String> {
    if total_pages < 1 {
        return None;
    }
    let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(name, _)| name != "page")
        .collect();
    let to = |number: i64, relation: &str| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&kept);
        query.append_pair("page", &number.to_string());
        format!("<{path}?{}>; rel=\"{relation}\"", query.finish())
    };
    let page = i64::from(page);
    let mut links = vec![to(1, "first")];
    if page > 1 {
        links.push(to((page - 1).min(total_pages), "prev"));
    }
    if page < total_pages {
        links.push(to(page + 1, "next"));
    }
    links.push(to(total_pages, "last"));
    Some(links.join(", "))
}

#[cfg(test)]
mod tests {
    use super::page_links;

    #[test]
    fn links_name_the_pages_that_exist_and_keep_the_query() {
        assert_eq!(page_links("/api/v1/posts", "", 1, 0), None);
        assert_eq!(
            page_links("/api/v1/posts", "tag=rust&page=2&per_page=5", 2, 3).unwrap(),
            "</api/v1/posts?tag=rust&per_page=5&page=1>; rel=\"first\", \
             </api/v1/posts?tag=rust&per_page=5&page=1>; rel=\"prev\", \
             </api/v1/posts?tag=rust&per_page=5&page=3>; rel=\"next\", \
             </api/v1/posts?tag=rust&per_page=5&page=3>; rel=\"last\""
        );
        assert_eq!(
            page_links("/api/v1/tags", "", 1, 1).unwrap(),
            "</api/v1/tags?page=1>; rel=\"first\", </api/v1/tags?page=1>; rel=\"last\""
        );
        // Past the end: back to the last page.
        assert_eq!(
            page_links("/api/v1/tags", "q=a%20b&page=9", 9, 2).unwrap(),
            "</api/v1/tags?q=a+b&page=1>; rel=\"first\", </api/v1/tags?q=a+b&page=2>; rel=\"prev\", \
             </api/v1/tags?q=a+b&page=2>; rel=\"last\""
        );
    }
}
