//! Phone numbers of the account and of an extension.

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use super::allows;
use crate::errors::ApiError;
use crate::extract::{Ids, Params};
use crate::paging::{self, Echo, PageRequest};
use crate::records::directory::{NumberStatus, PaymentType, UsageType};
use crate::state::AppState;

/// `GET /account/{a}/phone-number`: every number, with the extension it is assigned to.
pub async fn list_for_account(
    State(app): State<AppState>,
    Ids(account_id): Ids<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let account = store.account(&account_id)?;
    let usage_types: Vec<UsageType> = params.enums("usageType")?;
    let statuses: Vec<NumberStatus> = params.enums("status")?;
    let payment_types: Vec<PaymentType> = params.enums("paymentType")?;
    let page = PageRequest::from_params(&params, false)?;

    let records: Vec<Value> = store
        .phone_numbers
        .iter()
        .filter(|n| {
            allows(&usage_types, n.usage_type) && allows(&statuses, n.status) && allows(&payment_types, n.payment_type)
        })
        .map(|n| n.render_for_account(account, n.extension.and_then(|id| store.extension_by_id(id))))
        .collect();

    let mut echo = Echo::default();
    echo.add_all("usageType", &usage_types);
    echo.add_all("status", &statuses);
    echo.add_all("paymentType", &payment_types);
    Ok(Json(paging::listing(&format!("{}/phone-number", account.uri), &echo, page, &records)))
}

/// `GET .../extension/{e}/phone-number`: the extension's numbers with their features.
pub async fn list_for_extension(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    let usage_types: Vec<UsageType> = params.enums("usageType")?;
    let status: Option<NumberStatus> = params.enum_value("status")?;
    let page = PageRequest::from_params(&params, false)?;

    let records: Vec<Value> = store
        .numbers_of(extension)
        .filter(|n| allows(&usage_types, n.usage_type) && status.is_none_or(|s| n.status == s))
        .map(|n| n.render_for_extension(&store.account, extension))
        .collect();

    let mut echo = Echo::default();
    if let Some(status) = status {
        echo.add("status", <&str>::from(status));
    }
    echo.add_all("usageType", &usage_types);
    Ok(Json(paging::listing(&format!("{}/phone-number", extension.uri), &echo, page, &records)))
}
