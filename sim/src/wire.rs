//! What reached the wire: every `/restapi` request is recorded in the request log
//! (`request_log.rs`) and answered with an `RCRequestId` header.

use std::collections::BTreeMap;

use axum::body::{Body, to_bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::request_log::LoggedRequest;
use crate::state::AppState;

/// Larger request bodies are refused; the API's own cap for MMS is 1.5 MB.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

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
