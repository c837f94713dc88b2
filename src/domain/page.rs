//! Pages of a list: which page a request asks for, and what it gets.

use super::limits::PageSize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

/// A query parameter of a page request that is out of bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPageParameter {
    pub name: &'static str,
    pub message: String,
}

impl PageRequest {
    /// `page` (from 1) and `per_page` (from 1 to the size's maximum, its
    /// default when not given).
    pub fn parse(
        page: Option<u32>,
        per_page: Option<u32>,
        size: PageSize,
    ) -> Result<Self, BadPageParameter> {
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(BadPageParameter {
                name: "page",
                message: "must be 1 or more".into(),
            });
        }
        let per_page = per_page.unwrap_or(size.default);
        if per_page == 0 || per_page > size.max {
            return Err(BadPageParameter {
                name: "per_page",
                message: format!("must be from 1 to {}", size.max),
            });
        }
        Ok(PageRequest { page, per_page })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: i64,
}

impl<T> Page<T> {
    /// The page of a list that has nothing in it.
    pub fn empty(request: PageRequest) -> Self {
        Page {
            items: Vec::new(),
            request,
            total: 0,
        }
    }

    /// The requested page of a whole list held in memory.
    pub fn cut(all: Vec<T>, request: PageRequest) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let offset = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let items = all
            .into_iter()
            .skip(offset)
            .take(request.per_page as usize)
            .collect();
        Page {
            items,
            request,
            total,
        }
    }

    pub fn total_pages(&self) -> i64 {
        let per_page = i64::from(self.request.per_page.max(1));
        (self.total + per_page - 1) / per_page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::limits::POST_PAGE;

    #[test]
    fn pages_count_up() {
        let page = |total| Page::<()> {
            items: vec![],
            request: PageRequest {
                page: 1,
                per_page: 20,
            },
            total,
        };
        assert_eq!(page(0).total_pages(), 0);
        assert_eq!(page(1).total_pages(), 1);
        assert_eq!(page(20).total_pages(), 1);
        assert_eq!(page(57).total_pages(), 3);
        assert_eq!(
            PageRequest {
                page: 3,
                per_page: 20
            }
            .offset(),
            40
        );
    }

    #[test]
    fn page_requests_are_bounded() {
        let parse = |page, per_page| PageRequest::parse(page, per_page, POST_PAGE);
        assert_eq!(
            parse(None, None),
            Ok(PageRequest {
                page: 1,
                per_page: 20
            })
        );
        assert!(parse(Some(7), Some(100)).is_ok());
        assert_eq!(parse(Some(0), None).unwrap_err().name, "page");
        let too_many = parse(None, Some(101)).unwrap_err();
        assert_eq!(
            (too_many.name, too_many.message.as_str()),
            ("per_page", "must be from 1 to 100")
        );
        assert_eq!(parse(None, Some(0)).unwrap_err().name, "per_page");
    }
}
