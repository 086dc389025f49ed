//! What reached the wire: every `/restapi` request is recorded for the tests and
//! answered with an `RCRequestId` header.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::errors::ApiError;
use crate::state::AppState;

/// Larger request bodies are refused; the API's own cap for MMS is 1.5 MB.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub query: String,
    /// Lower-case header names; repeated headers are joined with ", ".
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

pub struct RequestLog {
    seed: u64,
    counter: AtomicU64,
    entries: Mutex<Vec<LoggedRequest>>,
}

impl RequestLog {
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: AtomicU64::new(0), entries: Mutex::new(Vec::new()) }
    }

    /// Uuid-shaped and deterministic: the seed, then a counter.
    fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:08x}-0000-4000-8000-{n:012x}", self.seed as u32)
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn push(&self, entry: LoggedRequest) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).push(entry);
    }
}

/// Middleware over `/restapi`: records the request, then stamps the response.
pub async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let request_id = app.requests.next_id();
    let (parts, body) = request.into_parts();
    let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |original| &original.0);

    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }

    let bytes = to_bytes(body, MAX_BODY_BYTES).await;
    app.requests.push(LoggedRequest {
        request_id: request_id.clone(),
        method: parts.method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers,
        body: bytes.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default(),
    });

    let mut response = match bytes {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "CMN-104", "Request body is too large").into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("rcrequestid", value);
    }
    response
}
