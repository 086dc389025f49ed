//! Faults that tests inject through `/__sim/faults`, applied to matching
//! `/restapi` requests (the token endpoint included) after they are recorded.
//!
//! `POST /__sim/faults` takes one fault or a list:
//! `{"method": "POST", "path": "/sms", "kind": "reset_after", "times": 1}`.
//! `path` matches the end of the request path; `method` is optional; `times`
//! (default 1) is how many requests the fault hits. Kinds:
//!
//! * `rate_limit` — `429 CMN-301` with `Retry-After: retry_after` (default 1) seconds;
//! * `unavailable` — `503 CMN-211`, with `Retry-After` if `retry_after` is given;
//! * `reset` — the connection is dropped before the request is handled;
//! * `reset_after` — the request is handled (an SMS is stored), then the connection is dropped;
//! * `slow` — the response is delayed by `delay_ms` (default 1000);
//! * `non_json` — `status` (default 502) with an HTML body;
//! * `expired_token` — `401 OAU-128`, as for an expired access token;
//! * `redirect` — `302` to `location`;
//! * `huge` — `200` with a JSON body of `size` bytes (default 32 MiB);
//! * `echo_authorization` — the normal response, plus the request's `Authorization`
//!   echoed in `authorization`, `set-cookie` and `x-echo-authorization` headers;
//! * `echo_request` — `200` with a `text/plain` body that echoes the request's
//!   `Authorization` line, repeated to `size` bytes (default once), as a
//!   debugging proxy or a misconfigured server would.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::{OriginalUri, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    RateLimit,
    Unavailable,
    Reset,
    ResetAfter,
    Slow,
    NonJson,
    ExpiredToken,
    Redirect,
    Huge,
    EchoAuthorization,
    EchoRequest,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    path: String,
    kind: Kind,
    #[serde(default = "one")]
    times: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<usize>,
}

fn one() -> u32 {
    1
}

/// A list or a single fault, as `POST /__sim/faults` accepts them.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum FaultList {
    Many(Vec<Fault>),
    One(Fault),
}

/// Pending faults, first match wins.
#[derive(Default)]
pub struct Faults(Mutex<VecDeque<Fault>>);

impl Faults {
    fn add(&self, faults: Vec<Fault>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend(faults);
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn pending(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }

    /// Takes one shot of the first fault matching the request, if any.
    fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let index = faults.iter().position(|f| {
            f.times > 0 && path.ends_with(&f.path) && f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let fault = faults[index].clone();
        faults[index].times -= 1;
        if faults[index].times == 0 {
            faults.remove(index);
        }
        Some(fault)
    }
}

/// `/__sim/faults`: GET lists pending faults, POST adds, DELETE clears.
pub async fn list(State(app): State<AppState>) -> Json<Vec<Fault>> {
    Json(app.platform.faults.pending())
}

pub async fn add(State(app): State<AppState>, Json(faults): Json<FaultList>) -> StatusCode {
    let faults = match faults {
        FaultList::Many(faults) => faults,
        FaultList::One(fault) => vec![fault],
    };
    app.platform.faults.add(faults);
    StatusCode::NO_CONTENT
}

pub async fn clear(State(app): State<AppState>) -> StatusCode {
    app.platform.faults.clear();
    StatusCode::NO_CONTENT
}

/// The panic payload that drops a connection: hyper's connection task ends
/// without writing a response, which the client sees as a reset. The panic
/// hook installed by [`silence_dropped_connections`] keeps it off stderr.
struct DroppedConnection;

pub fn silence_dropped_connections() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.payload().is::<DroppedConnection>() {
            default_hook(info);
        }
    }));
}

fn drop_connection() -> ! {
    std::panic::panic_any(DroppedConnection)
}

/// Middleware over `/restapi`, inside the request log.
pub async fn inject(State(app): State<AppState>, request: Request, next: Next) -> Response {
    // Nested under `/restapi`, the URI has lost its prefix; match on the original.
    let path = request.extensions().get::<OriginalUri>().map_or(request.uri().path(), |o| o.0.path()).to_string();
    let Some(fault) = app.platform.faults.take(request.method().as_str(), &path) else {
        return next.run(request).await;
    };
    match fault.kind {
        Kind::RateLimit => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "CMN-301", "Request rate exceeded").into_response();
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(fault.retry_after.unwrap_or(1)));
            response
        }
        Kind::Unavailable => {
            let mut response =
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "CMN-211", "Service Temporarily Unavailable")
                    .into_response();
            if let Some(seconds) = fault.retry_after {
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Kind::Reset => drop_connection(),
        Kind::ResetAfter => {
            let _handled = next.run(request).await;
            drop_connection()
        }
        Kind::Slow => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms.unwrap_or(1000))).await;
            next.run(request).await
        }
        Kind::NonJson => {
            let status = fault.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::BAD_GATEWAY);
            let body = "<html><body><h1>502 Bad Gateway</h1><p>upstream connect error</p></body></html>";
            (status, [(CONTENT_TYPE, "text/html")], body).into_response()
        }
        Kind::ExpiredToken => ApiError::expired_token().into_response(),
        Kind::Redirect => {
            let location = fault.location.unwrap_or_else(|| "https://evil.example/".into());
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, value);
            }
            response
        }
        Kind::Huge => {
            let size = fault.size.unwrap_or(32 << 20);
            let mut body = String::with_capacity(size);
            body.push_str("{\"padding\":\"");
            body.extend(std::iter::repeat_n('x', size.saturating_sub(body.len() + 2)));
            body.push_str("\"}");
            (StatusCode::OK, [(CONTENT_TYPE, "application/json")], body).into_response()
        }
        Kind::EchoRequest => {
            let presented = request.headers().get(AUTHORIZATION).map(|v| String::from_utf8_lossy(v.as_bytes()));
            let line = format!("Authorization: {}\n", presented.unwrap_or_default());
            let size = fault.size.unwrap_or(line.len()).max(line.len());
            let body = line.repeat(size.div_ceil(line.len()));
            (StatusCode::OK, [(CONTENT_TYPE, "text/plain")], body).into_response()
        }
        Kind::EchoAuthorization => {
            let presented = request.headers().get(AUTHORIZATION).cloned();
            let mut response = next.run(request).await;
            if let Some(value) = presented {
                let headers = response.headers_mut();
                headers.insert(AUTHORIZATION, value.clone());
                headers.insert("x-echo-authorization", value.clone());
                if let Ok(cookie) = HeaderValue::from_str(&format!("session={}", value.to_str().unwrap_or_default())) {
                    headers.insert("set-cookie", cookie);
                }
            }
            response
        }
    }
}
