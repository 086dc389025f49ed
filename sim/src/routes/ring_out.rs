//! RingOut: `POST .../ring-out` places a two-legged call, `GET .../ring-out/{id}`
//! reads its status, `DELETE` cancels it (then it is gone).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::sms::{NumberRef, normalize};
use crate::errors::ApiError;
use crate::extract::{Ids, JsonBody};
use crate::records::ring_out::{RingOut, RingOutStatus};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RingOutRequest {
    from: Option<NumberRef>,
    to: Option<NumberRef>,
    caller_id: Option<NumberRef>,
    play_prompt: Option<bool>,
    country: Option<serde_json::Value>,
}

fn number(party: Option<NumberRef>, name: &str) -> Result<String, ApiError> {
    party.and_then(|p| p.phone_number()).and_then(|n| normalize(&n)).ok_or_else(|| ApiError::invalid_parameter(name))
}

pub async fn create(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    JsonBody(request): JsonBody<RingOutRequest>,
) -> Result<Json<RingOut>, ApiError> {
    number(request.from, "from")?;
    number(request.to, "to")?;
    if request.caller_id.is_some() {
        number(request.caller_id, "callerId")?;
    }
    let _ = (request.play_prompt, request.country);
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.clone();
    let id = store.next_ring_out_id.to_string();
    store.next_ring_out_id += 1;
    let session = RingOut {
        uri: format!("{}/ring-out/{id}", owner.uri),
        id,
        status: RingOutStatus { call_status: "InProgress", caller_status: "InProgress", callee_status: "InProgress" },
        owner: owner.id,
    };
    store.ring_outs.push(session.clone());
    Ok(Json(session))
}

pub async fn read(
    State(app): State<AppState>,
    Ids((account_id, extension_id, ringout_id)): Ids<(String, String, String)>,
) -> Result<Json<RingOut>, ApiError> {
    let store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let session = store.ring_outs.iter().find(|r| r.owner == owner && r.id == ringout_id);
    session.cloned().map(Json).ok_or_else(|| ApiError::not_found("ringoutId"))
}

pub async fn cancel(
    State(app): State<AppState>,
    Ids((account_id, extension_id, ringout_id)): Ids<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let before = store.ring_outs.len();
    store.ring_outs.retain(|r| !(r.owner == owner && r.id == ringout_id));
    if store.ring_outs.len() == before {
        return Err(ApiError::not_found("ringoutId"));
    }
    Ok(StatusCode::NO_CONTENT)
}
