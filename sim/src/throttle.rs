//! The throttling middleware: each route's handlers sit in a group (`Group::on`),
//! whose limiter (`limiter.rs`) admits or refuses each request (`429 CMN-301` with
//! `Retry-After`); every answer carries the group's `X-Rate-Limit-*` headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use crate::errors::ApiError;
use crate::limiter::{Group, Limiter, Verdict};
use crate::state::AppState;

impl Group {
    /// Puts the handlers of `methods` in this group.
    pub fn on(self, methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
        methods.layer(from_fn(move |request: Request, next: Next| throttle(self, request, next)))
    }
}

async fn throttle(group: Group, request: Request, next: Next) -> Response {
    let Some(limiter) = request.extensions().get::<Arc<Limiter>>().cloned() else {
        return next.run(request).await;
    };
    match limiter.admit(group, Instant::now()) {
        Verdict::Admitted { remaining } => {
            let mut response = next.run(request).await;
            stamp(response.headers_mut(), group, limiter.limit(group), remaining, limiter.window);
            response
        }
        Verdict::Throttled { retry_after } => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "CMN-301", "Request rate exceeded").into_response();
            let headers = response.headers_mut();
            stamp(headers, group, limiter.limit(group), 0, limiter.window);
            headers.insert("retry-after", HeaderValue::from(retry_after.as_secs().max(1)));
            response
        }
    }
}

fn stamp(headers: &mut HeaderMap, group: Group, limit: u32, remaining: u32, window: Duration) {
    headers.insert("x-rate-limit-group", HeaderValue::from_static(group.name()));
    headers.insert("x-rate-limit-limit", HeaderValue::from(limit));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
    headers.insert("x-rate-limit-window", HeaderValue::from(window.as_secs()));
}
