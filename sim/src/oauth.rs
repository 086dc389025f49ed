//! `POST /restapi/oauth/token` and `/restapi/oauth/revoke`: the endpoints over the
//! OAuth sessions of `sessions.rs`. Issued access tokens are then accepted by the
//! bearer check until they expire (`401 OAU-128`) or are rotated away.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::limiter::Group;
use crate::state::AppState;

/// Routes relative to `/restapi`; they take client credentials, not a bearer token.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/token", Group::Auth.on(post(token)))
        .route("/oauth/revoke", Group::Auth.on(post(revoke)))
}

async fn token(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match app.platform.oauth.token(&headers, &body) {
        Ok(info) => axum::Json(info).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn revoke(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match app.platform.oauth.revoke(&headers, &body) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}
