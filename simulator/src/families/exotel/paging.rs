//! List paging: the `status`, `page_size` and `offset` query parameters and the page URIs
//! of the answer's `metadata`.
//!
//! URIs take the seed's form, `/v2/accounts/<sid>/subscribers?offset=6&page_size=3`, with
//! `&status=<filter>` appended when the list is filtered so that following a link keeps the
//! filter. `prev_page_uri` is null on the first page (offset 0) and `next_page_uri` null on
//! the last. Unknown parameters are ignored: the seed's own sample request sends `page=2`.

use super::envelope::PageLinks;
use super::errors::ExotelError;
use super::model::SubscriberStatus;

/// The seed: `page_size` "Default and maximum value is 100".
pub const PAGE_SIZE_MAX: u64 = 100;

/// A validated list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub status: Option<SubscriberStatus>,
    pub offset: u64,
    pub page_size: u64,
}

/// Parses the query parameters. `value(name)` returns the first value of `name`; an empty
/// value counts as absent (clients fill the seed's template `status=&page_size=&offset=`).
///
/// # Errors
/// 400/1002 for a `status` other than `active`/`inactive`, a `page_size` outside 1–100, or an
/// `offset` that is not a non-negative integer.
pub fn parse_page_request<'q>(
    value: impl Fn(&str) -> Option<std::borrow::Cow<'q, str>>,
) -> Result<PageRequest, ExotelError> {
    let present = |name: &str| value(name).filter(|v| !v.is_empty());
    let status =
        present("status").map(|raw| SubscriberStatus::parse(&raw, "status")).transpose()?;
    let page_size = match present("page_size") {
        None => PAGE_SIZE_MAX,
        Some(raw) => {
            parse_uint(&raw).filter(|n| (1..=PAGE_SIZE_MAX).contains(n)).ok_or_else(|| {
                ExotelError::invalid(format!(
                    "page_size must be an integer from 1 to {PAGE_SIZE_MAX} (got {raw:?})"
                ))
            })?
        }
    };
    let offset = match present("offset") {
        None => 0,
        // Bounded by the contract's `format: int64`, so that no client library overflows.
        Some(raw) => parse_uint(&raw).filter(|n| i64::try_from(*n).is_ok()).ok_or_else(|| {
            ExotelError::invalid(format!(
                "offset must be a non-negative integer of at most {} (got {raw:?})",
                i64::MAX
            ))
        })?,
    };
    Ok(PageRequest { status, offset, page_size })
}

/// The links of the page `request` asked for; `has_next` says whether anything follows it.
pub fn page_links(sid: &str, request: &PageRequest, has_next: bool) -> PageLinks {
    let uri = |offset: u64| page_uri(sid, offset, request.page_size, request.status);
    PageLinks {
        first_page_uri: uri(0),
        prev_page_uri: (request.offset > 0)
            .then(|| uri(request.offset.saturating_sub(request.page_size))),
        next_page_uri: has_next.then(|| uri(request.offset.saturating_add(request.page_size))),
    }
}

fn page_uri(sid: &str, offset: u64, page_size: u64, status: Option<SubscriberStatus>) -> String {
    let mut uri = format!("/v2/accounts/{sid}/subscribers?offset={offset}&page_size={page_size}");
    if let Some(status) = status {
        uri.push_str("&status=");
        uri.push_str(status.as_str());
    }
    uri
}

/// Digits only (Go's `strconv.ParseUint` refuses signs too), within u64.
fn parse_uint(raw: &str) -> Option<u64> {
    if raw.bytes().all(|b| b.is_ascii_digit()) { raw.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &'static str) -> Result<PageRequest, ExotelError> {
        parse_page_request(|name| {
            form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v)
        })
    }

    #[test]
    fn defaults_and_the_seed_sample_request() {
        let request = parse("page=2&offset=3").unwrap();
        assert_eq!(request, PageRequest { status: None, offset: 3, page_size: 100 });
        assert_eq!(parse("").unwrap(), PageRequest { status: None, offset: 0, page_size: 100 });
        let blank = parse("status=&page_size=&offset=").unwrap();
        assert_eq!(blank, PageRequest { status: None, offset: 0, page_size: 100 });
    }

    #[test]
    fn bad_values_are_invalid_parameters() {
        for query in [
            "page_size=101",
            "page_size=0",
            "page_size=abc",
            "page_size=-1",
            "offset=-1",
            "offset=x",
            "offset=+3",
            "offset=99999999999999999999",
            "status=ACTIVE",
            "status=gone",
        ] {
            assert_eq!(parse(query).unwrap_err().parts().code, 1002, "{query}");
        }
        assert_eq!(
            parse("page_size=100&status=inactive").unwrap().status,
            Some(SubscriberStatus::Inactive)
        );
    }

    #[test]
    fn links_match_the_seed_sample() {
        let request = PageRequest { status: None, offset: 9, page_size: 3 };
        let links = page_links("exotelip2ipcalling1", &request, true);
        assert_eq!(
            links.first_page_uri,
            "/v2/accounts/exotelip2ipcalling1/subscribers?offset=0&page_size=3"
        );
        assert_eq!(
            links.prev_page_uri.as_deref(),
            Some("/v2/accounts/exotelip2ipcalling1/subscribers?offset=6&page_size=3")
        );
        assert_eq!(
            links.next_page_uri.as_deref(),
            Some("/v2/accounts/exotelip2ipcalling1/subscribers?offset=12&page_size=3")
        );
    }

    #[test]
    fn first_and_last_pages_and_filters() {
        let first = PageRequest { status: Some(SubscriberStatus::Active), offset: 0, page_size: 2 };
        let links = page_links("s", &first, false);
        assert_eq!(links.prev_page_uri, None);
        assert_eq!(links.next_page_uri, None);
        assert_eq!(
            links.first_page_uri,
            "/v2/accounts/s/subscribers?offset=0&page_size=2&status=active"
        );
        // An offset that is not a multiple of the page size goes back to 0, not below.
        let odd = PageRequest { status: None, offset: 1, page_size: 5 };
        assert_eq!(
            page_links("s", &odd, true).prev_page_uri.as_deref(),
            Some("/v2/accounts/s/subscribers?offset=0&page_size=5")
        );
    }
}
