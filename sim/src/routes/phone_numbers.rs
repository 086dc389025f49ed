//! Phone numbers of the account and of an extension.

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use crate::errors::ApiError;
use crate::extract::Ids;
use crate::list_query::{ListQuery, allows};
use crate::records::directory::{NumberStatus, PaymentType, UsageType};
use crate::state::AppState;

/// `GET /account/{a}/phone-number`: every number, with the extension it is assigned to.
pub async fn list_for_account(
    State(app): State<AppState>,
    Ids(account_id): Ids<String>,
    mut query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let account = store.account(&account_id)?;
    let usage_types: Vec<UsageType> = query.enums("usageType")?;
    let statuses: Vec<NumberStatus> = query.enums("status")?;
    let payment_types: Vec<PaymentType> = query.enums("paymentType")?;

    let records: Vec<Value> = store
        .phone_numbers
        .iter()
        .filter(|n| {
            allows(&usage_types, n.usage_type) && allows(&statuses, n.status) && allows(&payment_types, n.payment_type)
        })
        .map(|n| n.render_for_account(account, n.extension.and_then(|id| store.extension_by_id(id))))
        .collect();
    Ok(Json(query.page(&format!("{}/phone-number", account.uri), false, &records)?))
}

/// `GET .../extension/{e}/phone-number`: the extension's numbers with their features.
pub async fn list_for_extension(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    mut query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    // Read in this order (it decides which bad parameter a 400 names), echoed status first.
    let usage_types: Vec<UsageType> = query.params().enums("usageType")?;
    let status: Option<NumberStatus> = query.enum_value("status")?;
    query.echo().add_all("usageType", &usage_types);

    let records: Vec<Value> = store
        .numbers_of(extension)
        .filter(|n| allows(&usage_types, n.usage_type) && status.is_none_or(|s| n.status == s))
        .map(|n| n.render_for_extension(&store.account, extension))
        .collect();
    Ok(Json(query.page(&format!("{}/phone-number", extension.uri), false, &records)?))
}
