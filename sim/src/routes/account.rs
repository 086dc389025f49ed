//! The account and its extensions.

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use crate::errors::ApiError;
use crate::extract::Ids;
use crate::list_query::{ListQuery, allows};
use crate::records::directory::{Extension, ExtensionStatus, ExtensionType};
use crate::state::AppState;

/// `GET /account/{a}`.
pub async fn read_account(State(app): State<AppState>, Ids(account_id): Ids<String>) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let account = store.account(&account_id)?;
    let operator = store.extension_by_id(account.operator_id).ok_or_else(|| ApiError::not_found("accountId"))?;
    Ok(Json(account.render(operator)))
}

/// `GET /account/{a}/extension`, ordered by extension number.
pub async fn list_extensions(
    State(app): State<AppState>,
    Ids(account_id): Ids<String>,
    mut query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let account = store.account(&account_id)?;
    let number = query.text("extensionNumber");
    let types: Vec<ExtensionType> = query.enums("type")?;
    let statuses: Vec<ExtensionStatus> = query.enums("status")?;

    let mut hits: Vec<&Extension> = store
        .extensions
        .iter()
        .filter(|e| {
            allows(&types, e.kind)
                && allows(&statuses, e.status)
                && number.as_ref().is_none_or(|n| &e.extension_number == n)
        })
        .collect();
    hits.sort_by(|a, b| a.extension_number.cmp(&b.extension_number));
    let records: Vec<Value> = hits.iter().map(|e| e.render_summary()).collect();
    Ok(Json(query.page(&format!("{}/extension", account.uri), false, &records)?))
}

/// `GET /account/{a}/extension/{e}`; service features only for the session's own extension.
pub async fn read_extension(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    Ok(Json(extension.render_info(&store.account, extension.id == store.session_owner)))
}
