//! Applies the faults of the queue (`fault_queue.rs`) to matching `/restapi`
//! requests, the token endpoint included, after they are recorded: a canned
//! error, a delay, a dropped connection, a huge or non-JSON body.

use std::time::Duration;

use axum::extract::{OriginalUri, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::fault_queue::Kind;
use crate::state::AppState;

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
        Kind::EchoRequest => {
            let presented = request.headers().get(AUTHORIZATION).map(|v| String::from_utf8_lossy(v.as_bytes()));
            let line = format!("Authorization: {}\n", presented.unwrap_or_default());
            let size = fault.size.unwrap_or(line.len()).max(line.len());
            let body = line.repeat(size.div_ceil(line.len()));
            (StatusCode::OK, [(CONTENT_TYPE, "text/plain")], body).into_response()
        }
    }
}
