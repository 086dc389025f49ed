//! `GET .../extension/{e}/presence`.

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use crate::errors::ApiError;
use crate::extract::{Ids, Params};
use crate::state::AppState;

/// `detailedTelephonyState=true` adds the calls in progress (`activeCalls`).
pub async fn read(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let detailed = params.boolean("detailedTelephonyState")?.unwrap_or(false);
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    Ok(Json(extension.render_presence(detailed)))
}
