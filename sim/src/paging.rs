//! Paging of list responses: `paging`, `navigation` and the echoed `uri`.

use serde::Serialize;
use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::extract::Params;

const DEFAULT_PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 1000;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    page: usize,
    per_page: usize,
}

impl PageRequest {
    /// Reads `page` (default 1) and `perPage` (default 100, clamped to 1000). Values
    /// below 1 are a 400. `allow_max` accepts the call log's `perPage=max`.
    pub fn from_params(params: &Params, allow_max: bool) -> Result<Self, ApiError> {
        let page = positive(params, "page")?.unwrap_or(1);
        let per_page = match params.single("perPage") {
            Some("max") if allow_max => MAX_PER_PAGE,
            _ => positive(params, "perPage")?.unwrap_or(DEFAULT_PER_PAGE).min(MAX_PER_PAGE),
        };
        Ok(Self { page, per_page })
    }
}

fn positive(params: &Params, name: &str) -> Result<Option<usize>, ApiError> {
    params
        .single(name)
        .map(|value| match value.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(ApiError::invalid_parameter(name)),
        })
        .transpose()
}

/// The effective query of a list, defaults included, in the order it is echoed.
#[derive(Debug, Default)]
pub struct Echo(Vec<(&'static str, String)>);

impl Echo {
    pub fn add(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.push((name, value.into()));
    }

    pub fn add_all<T: Copy + Into<&'static str>>(&mut self, name: &'static str, values: &[T]) {
        for value in values {
            self.add(name, (*value).into());
        }
    }

    fn uri(&self, collection_uri: &str, page: usize, per_page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.0 {
            query.append_pair(name, value);
        }
        query.append_pair("page", &page.to_string());
        query.append_pair("perPage", &per_page.to_string());
        format!("{collection_uri}?{}", query.finish())
    }
}

/// Builds `{uri, records, paging, navigation}` for one page of `items`.
pub fn listing<T: Serialize>(collection_uri: &str, echo: &Echo, request: PageRequest, items: &[T]) -> Value {
    let PageRequest { page, per_page } = request;
    let total = items.len();
    let total_pages = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page).min(total);
    let end = start.saturating_add(per_page).min(total);
    let records = &items[start..end];

    let mut paging = json!({ "page": page, "totalPages": total_pages, "perPage": per_page, "totalElements": total });
    if !records.is_empty() {
        // Zero-based indexes of the first and last element, omitted for an empty page.
        paging["pageStart"] = json!(start);
        paging["pageEnd"] = json!(end - 1);
    }

    let link = |p: usize| json!({ "uri": echo.uri(collection_uri, p, per_page) });
    let mut navigation = json!({ "firstPage": link(1) });
    if page < total_pages {
        navigation["nextPage"] = link(page + 1);
    }
    if page > 1 {
        navigation["previousPage"] = link(page - 1);
    }
    navigation["lastPage"] = link(total_pages);

    json!({
        "uri": echo.uri(collection_uri, page, per_page),
        "records": records,
        "paging": paging,
        "navigation": navigation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(page: usize, per_page: usize) -> PageRequest {
        PageRequest { page, per_page }
    }

    #[test]
    fn middle_page_links_both_ways() {
        let items: Vec<u32> = (0..25).collect();
        let body = listing("http://sim/x", &Echo::default(), page(2, 10), &items);
        assert_eq!(body["records"], json!((10..20).collect::<Vec<u32>>()));
        assert_eq!(
            body["paging"],
            json!({"page": 2, "totalPages": 3, "perPage": 10, "totalElements": 25, "pageStart": 10, "pageEnd": 19})
        );
        assert_eq!(body["navigation"]["nextPage"]["uri"], "http://sim/x?page=3&perPage=10");
        assert_eq!(body["navigation"]["previousPage"]["uri"], "http://sim/x?page=1&perPage=10");
        assert_eq!(body["navigation"]["lastPage"]["uri"], "http://sim/x?page=3&perPage=10");
    }

    #[test]
    fn empty_list_has_one_page_and_no_indexes() {
        let body = listing("http://sim/x", &Echo::default(), page(1, 100), &Vec::<u32>::new());
        assert_eq!(body["paging"], json!({"page": 1, "totalPages": 1, "perPage": 100, "totalElements": 0}));
        let nav = body["navigation"].as_object().unwrap();
        assert_eq!(nav.keys().collect::<Vec<_>>(), ["firstPage", "lastPage"]);
    }

    #[test]
    fn echo_keeps_order_and_encodes() {
        let mut echo = Echo::default();
        echo.add("messageType", "SMS");
        echo.add("dateFrom", "2024-01-01T00:00:00.000Z");
        assert_eq!(
            echo.uri("http://sim/x", 1, 100),
            "http://sim/x?messageType=SMS&dateFrom=2024-01-01T00%3A00%3A00.000Z&page=1&perPage=100"
        );
    }
}
