//! The header policy: what a plugin may neither set on a request nor read on
//! a response.

use http::header::{HeaderMap, HeaderName};
use wasmtime_wasi_http::DEFAULT_FORBIDDEN_HEADERS;

/// Headers that make proxies and frameworks rewrite a request's path, method
/// or host after the gate judged it.
const REWRITING_HEADERS: &[&str] = &[
    "x-original-url",
    "x-rewrite-url",
    "x-override-url",
    "x-original-uri",
    "x-original-method",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
    "x-http-destinationurl",
    "x-host",
    "x-original-host",
];

/// Headers the plugin may neither set on requests nor read on responses.
pub fn is_forbidden_header(name: &HeaderName) -> bool {
    DEFAULT_FORBIDDEN_HEADERS.contains(name)
        || matches!(name.as_str(), "authorization" | "cookie" | "set-cookie" | "forwarded")
        || REWRITING_HEADERS.contains(&name.as_str())
        || name.as_str().starts_with("proxy-")
        || name.as_str().starts_with("x-forwarded-")
}

/// Removes the forbidden headers, and with a token any header whose value carries it.
pub fn strip_forbidden(headers: &mut HeaderMap, token: Option<&str>) {
    let names: Vec<HeaderName> = headers
        .iter()
        .filter(|(name, value)| {
            is_forbidden_header(name)
                || token.is_some_and(|t| !t.is_empty() && String::from_utf8_lossy(value.as_bytes()).contains(t))
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        headers.remove(&name);
    }
}

#[cfg(test)]
mod tests {
    use http::header::HeaderValue;

    use super::*;

    #[test]
    fn responses_lose_forbidden_headers_and_anything_carrying_the_token() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer T0KEN"),
            ("set-cookie", "a=b"),
            ("x-echo", "Bearer T0KEN"),
            ("content-type", "application/json"),
            ("rcrequestid", "1"),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        strip_forbidden(&mut headers, Some("T0KEN"));
        let mut left: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
        left.sort();
        assert_eq!(left, ["content-type", "rcrequestid"]);
    }

    #[test]
    fn forbidden_headers() {
        for name in [
            "authorization",
            "Authorization",
            "host",
            "cookie",
            "proxy-authorization",
            "x-forwarded-for",
            "x-original-url",
            "X-Rewrite-URL",
            "x-http-method-override",
            "x-http-method",
            "x-method-override",
        ] {
            assert!(is_forbidden_header(&HeaderName::from_bytes(name.as_bytes()).unwrap()), "{name}");
        }
        for name in ["accept", "content-type", "rcrequestid"] {
            assert!(!is_forbidden_header(&HeaderName::from_bytes(name.as_bytes()).unwrap()), "{name}");
        }
    }
}
