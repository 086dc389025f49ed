//! `multipart/form-data` request bodies (fax and MMS): the parts, each with its
//! name, file name and content type. Anything that is not a well-formed form is
//! a 400, as RingCentral answers.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;

use crate::errors::ApiError;

#[derive(Debug)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The parts of a `multipart/form-data` body, in order.
pub struct Form(pub Vec<Part>);

impl Form {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|p| p.name == name && p.filename.is_none()).and_then(|p| std::str::from_utf8(&p.data).ok())
    }

    /// A JSON field; a value that does not parse is a 400 naming the field.
    pub fn json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.text(name)
            .map(|text| serde_json::from_str(text).map_err(|_| ApiError::invalid_parameter(name)))
            .transpose()
    }

    pub fn files<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Part> + 'a {
        self.0.iter().filter(move |p| p.name == name && p.filename.is_some())
    }
}

fn bad_form(why: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "CMN-101", format!("The multipart/form-data body can't be parsed: {why}"))
}

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let boundary = content_type
            .strip_prefix("multipart/form-data")
            .and_then(|rest| rest.split(';').find_map(|p| p.trim().strip_prefix("boundary=")))
            .map(|b| b.trim_matches('"').to_owned())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "CMN-415",
                    format!("Content-Type must be multipart/form-data with a boundary, got {content_type:?}"),
                )
            })?;
        let bytes = Bytes::from_request(request, state).await.map_err(|e| bad_form(&e.to_string()))?;
        parse(&bytes, &boundary).map(Form)
    }
}

pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, ApiError> {
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut body_with_break = b"\r\n".to_vec();
    body_with_break.extend_from_slice(body);
    let mut segments = split(&body_with_break, &delimiter).into_iter();
    segments.next(); // the preamble
    let mut parts = Vec::new();
    for segment in segments {
        if segment.starts_with(b"--") {
            return Ok(parts);
        }
        let segment = segment.strip_prefix(b"\r\n").ok_or_else(|| bad_form("a delimiter is not followed by CRLF"))?;
        let split_at = find(segment, b"\r\n\r\n").ok_or_else(|| bad_form("a part has no blank line"))?;
        let headers = std::str::from_utf8(&segment[..split_at]).map_err(|_| bad_form("a part header is not UTF-8"))?;
        let mut part =
            Part { name: String::new(), filename: None, content_type: None, data: segment[split_at + 4..].to_vec() };
        for line in headers.split("\r\n") {
            let (name, value) = line.split_once(':').ok_or_else(|| bad_form("a part header has no ':'"))?;
            match name.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for param in value.split(';').skip(1) {
                        let (key, v) = param.split_once('=').unwrap_or((param, ""));
                        let v = v.trim().trim_matches('"').to_owned();
                        match key.trim() {
                            "name" => part.name = v,
                            "filename" => part.filename = Some(v),
                            _ => {}
                        }
                    }
                }
                "content-type" => part.content_type = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        if part.name.is_empty() {
            return Err(bad_form("a part has no name"));
        }
        parts.push(part);
    }
    Err(bad_form("the closing delimiter is missing"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut rest: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(at) = find(rest, delimiter) {
        out.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    out.push(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_keep_their_names_files_and_bytes() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"to\"\r\nContent-Type: application/json\r\n\r\n[1]\r\n--b\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n\x00\r\n--b--\r\n";
        let parts = parse(body, "b").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("to", b"[1]".as_slice()));
        assert_eq!(parts[1].filename.as_deref(), Some("a.pdf"));
        assert_eq!(parts[1].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(parts[1].data, b"%PDF\r\n\x00");
        assert!(
            parse(b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv", "b").is_err(),
            "no closing delimiter"
        );
        assert!(parse(b"--b\r\nno header\r\n\r\nv\r\n--b--", "b").is_err());
    }
}
