//! Paged listings: `{entities, pageSize, pageNumber, total, pageCount, firstUri, selfUri,
//! previousUri?, nextUri?, lastUri}` as the platform's `*EntityListing` models have them.

use serde_json::{Value, json};

use crate::http::errors::{ApiError, ApiResult};
use crate::http::query::QueryParams;

/// The default `pageSize` of every listing here (genesys-api.md §1.3, §2).
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 25;

/// A requested page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub size: u32,
    pub number: u32,
}

impl Page {
    /// Reads `pageSize` (default 25) and `pageNumber` (default 1).
    pub fn from_query(q: &QueryParams, max_size: u32) -> ApiResult<Page> {
        let number = parse(q, "pageNumber", 1)?;
        let size = parse(q, "pageSize", DEFAULT_PAGE_SIZE)?;
        // GUESS: no documented maximum; TF asks for 500, so larger sizes are refused with 400
        // (genesys-api.md [VERIFY] item 5).
        if size == 0 || size > max_size {
            return Err(ApiError::bad_request(format!(
                "pageSize {size} is out of range; allowed: 1 - {max_size}"
            )));
        }
        if number == 0 {
            return Err(ApiError::bad_request("pageNumber starts at 1"));
        }
        Ok(Page { size, number })
    }
}

fn parse(q: &QueryParams, name: &str, default: u32) -> ApiResult<u32> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiError::bad_request(format!("{name} must be a positive integer, got {v:?}"))
        }),
    }
}

/// One page of `all`, with the paging URIs built on `path` and the other query parameters.
pub(crate) fn listing(all: Vec<Value>, page: Page, path: &str, q: &QueryParams) -> Value {
    let total = all.len() as u64;
    let size = u64::from(page.size);
    let page_count = total.div_ceil(size);
    let start = (u64::from(page.number) - 1).saturating_mul(size);
    let entities: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(page.size as usize)
        .collect();
    let rest = q.encode_without(&["pageSize", "pageNumber"]);
    let uri = |n: u64| {
        let sep = if rest.is_empty() { "" } else { "&" };
        format!("{path}?pageSize={size}&pageNumber={n}{sep}{rest}")
    };
    let number = u64::from(page.number);
    let mut out = json!({
        "entities": entities,
        "pageSize": page.size,
        "pageNumber": page.number,
        "total": total,
        "pageCount": page_count,
        "firstUri": uri(1),
        "selfUri": uri(number),
        "lastUri": uri(page_count.max(1)),
    });
    if let Some(obj) = out.as_object_mut() {
        if number < page_count {
            obj.insert("nextUri".into(), json!(uri(number + 1)));
        }
        if number > 1 {
            obj.insert("previousUri".into(), json!(uri(number - 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_uris() {
        let q = QueryParams::parse(Some("id=a&id=b&id=c&pageSize=2&pageNumber=2"));
        let page = Page::from_query(&q, 500).expect("valid");
        let all = vec![json!(1), json!(2), json!(3)];
        let l = listing(all, page, "/api/v2/flows", &q);
        assert_eq!(l["entities"], json!([3]));
        assert_eq!(
            (l["total"].as_u64(), l["pageCount"].as_u64()),
            (Some(3), Some(2))
        );
        assert_eq!(
            l["selfUri"],
            "/api/v2/flows?pageSize=2&pageNumber=2&id=a&id=b&id=c"
        );
        assert_eq!(
            l["previousUri"],
            "/api/v2/flows?pageSize=2&pageNumber=1&id=a&id=b&id=c"
        );
        assert!(l.get("nextUri").is_none());
    }

    #[test]
    fn defaults_limits_and_empty() {
        let q = QueryParams::parse(None);
        assert_eq!(
            Page::from_query(&q, 500),
            Ok(Page {
                size: 25,
                number: 1
            })
        );
        for bad in ["pageSize=501", "pageSize=0", "pageNumber=0", "pageSize=x"] {
            let q = QueryParams::parse(Some(bad));
            assert!(Page::from_query(&q, 500).is_err(), "{bad}");
        }
        let l = listing(
            Vec::new(),
            Page {
                size: 25,
                number: 1,
            },
            "/x",
            &q,
        );
        assert_eq!(
            (l["total"].as_u64(), l["pageCount"].as_u64()),
            (Some(0), Some(0))
        );
        assert_eq!(l["lastUri"], "/x?pageSize=25&pageNumber=1");
        assert!(l.get("nextUri").is_none() && l.get("previousUri").is_none());
    }
}
