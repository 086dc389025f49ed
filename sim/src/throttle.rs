//! Throttling groups and the `X-Rate-Limit-*` headers RingCentral sends with them.
//!
//! Nothing is enforced: every response reports the group's full budget, so clients
//! that pace themselves on `Remaining` never wait on the simulator.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::middleware::map_response_with_state;
use axum::response::Response;
use axum::routing::MethodRouter;

use crate::state::AppState;

/// Seconds over which a group's limit is counted.
const WINDOW_SECONDS: u32 = 60;

#[derive(Debug, Clone, Copy)]
pub enum Group {
    Light,
    Medium,
    Heavy,
}

impl Group {
    /// Default requests per user per minute (docs/basics/rate-limits.md).
    fn limit(self) -> u32 {
        match self {
            Group::Light => 50,
            Group::Medium => 40,
            Group::Heavy => 10,
        }
    }

    /// Real responses spell the group in lower case.
    fn name(self) -> &'static str {
        match self {
            Group::Light => "light",
            Group::Medium => "medium",
            Group::Heavy => "heavy",
        }
    }

    /// Puts the handlers of `methods` in this group.
    pub fn on(self, methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
        methods.layer(map_response_with_state(self, stamp))
    }
}

async fn stamp(State(group): State<Group>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("x-rate-limit-group", HeaderValue::from_static(group.name()));
    headers.insert("x-rate-limit-limit", HeaderValue::from(group.limit()));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(group.limit()));
    headers.insert("x-rate-limit-window", HeaderValue::from(WINDOW_SECONDS));
    response
}
