//! `/__sim`: the test-control namespace. It needs no token and is not recorded.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use crate::fault_queue::{Fault, FaultList};
use crate::request_log::LoggedRequest;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).post(add_faults).delete(clear_faults))
        .route("/inbound", axum::routing::post(crate::mailbox::inbound))
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

/// `/__sim/faults`: GET lists pending faults, POST adds, DELETE clears.
async fn faults(State(app): State<AppState>) -> Json<Vec<Fault>> {
    Json(app.platform.faults.pending())
}

async fn add_faults(State(app): State<AppState>, Json(faults): Json<FaultList>) -> StatusCode {
    app.platform.faults.add(faults.into_vec());
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(app): State<AppState>) -> StatusCode {
    app.platform.faults.clear();
    StatusCode::NO_CONTENT
}
