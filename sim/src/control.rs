//! `/__sim`: the test-control namespace. It needs no token and is not recorded.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use crate::faults;
use crate::state::AppState;
use crate::wire::LoggedRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults::list).post(faults::add).delete(faults::clear))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Every `/restapi` request received since start (or the last clear), in order.
async fn requests(State(app): State<AppState>) -> Json<Vec<LoggedRequest>> {
    Json(app.requests.snapshot())
}

async fn clear_requests(State(app): State<AppState>) -> StatusCode {
    app.requests.clear();
    StatusCode::NO_CONTENT
}
