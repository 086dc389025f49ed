//! The call log, per extension and account-wide.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::extract::{DateWindow, Ids, Params};
use crate::list_query::{ListQuery, allows};
use crate::records::Direction;
use crate::records::call::{CallRecord, CallType, View};
use crate::state::AppState;
use crate::store::Store;

/// The filters both call-log lists share.
struct CallQuery {
    directions: Vec<Direction>,
    types: Vec<CallType>,
    /// Digits only: the filter is documented as E.164 without the `+`.
    phone_number: Option<String>,
    extension_number: Option<String>,
    window: DateWindow,
    view: View,
    query: ListQuery,
}

impl CallQuery {
    fn read(mut query: ListQuery, now: Timestamp) -> Result<Self, ApiError> {
        let directions = query.enums("direction")?;
        let types = query.enums("type")?;
        // A raw `+` in a query string decodes as a space; the digits are echoed.
        let phone_number = query.params().single("phoneNumber").map(|n| n.trim().trim_start_matches('+').to_owned());
        if let Some(number) = &phone_number {
            query.echo().add("phoneNumber", number.as_str());
        }
        let extension_number = query.text("extensionNumber");
        // The window is read before the view but echoed after it.
        let window = query.params().date_window(now)?;
        let view = query.enum_or("view", View::Simple)?;
        query.echo_window(window);
        Ok(Self { directions, types, phone_number, extension_number, window, view, query })
    }

    fn matches(&self, store: &Store, call: &CallRecord) -> bool {
        let owner_number = store.extension_by_id(call.owner).map(|e| e.extension_number.as_str());
        allows(&self.directions, call.direction)
            && allows(&self.types, call.kind)
            && self.phone_number.as_deref().is_none_or(|n| call.from.has_number(n) || call.to.has_number(n))
            && self.extension_number.as_deref().is_none_or(|n| owner_number == Some(n))
            && self.window.contains(call.start_time)
    }

    /// Newest first, rendered through `collection_uri`; `with_owner` adds the
    /// `extension` reference account-level records carry.
    fn list(
        &self,
        store: &Store,
        owner: Option<u64>,
        collection_uri: &str,
        with_owner: bool,
    ) -> Result<Value, ApiError> {
        let mut hits: Vec<&CallRecord> =
            store.calls.iter().filter(|c| owner.is_none_or(|o| c.owner == o) && self.matches(store, c)).collect();
        hits.sort_by_key(|c| std::cmp::Reverse(c.start_time));
        let records: Vec<Value> =
            hits.iter().map(|c| c.render(collection_uri, self.view, with_owner.then(|| owner_ref(store, c)))).collect();
        self.query.page(collection_uri, true, &records)
    }
}

fn owner_ref(store: &Store, call: &CallRecord) -> Value {
    store.extension_by_id(call.owner).map_or(Value::Null, |e| json!({ "uri": e.uri, "id": e.id }))
}

fn find<'a>(store: &'a Store, owner: Option<u64>, id: &str) -> Result<&'a CallRecord, ApiError> {
    store
        .calls
        .iter()
        .find(|c| c.id == id && owner.is_none_or(|o| c.owner == o))
        .ok_or_else(|| ApiError::not_found("callRecordId"))
}

/// `GET .../extension/{e}/call-log`: the last 24 hours unless `dateFrom` says otherwise.
pub async fn list_for_extension(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    let query = CallQuery::read(query, app.clock.now())?;
    Ok(Json(query.list(&store, Some(extension.id), &format!("{}/call-log", extension.uri), false)?))
}

/// `GET /account/{a}/call-log`: every extension's calls; `extensionNumber` narrows it.
pub async fn list_for_account(
    State(app): State<AppState>,
    Ids(account_id): Ids<String>,
    query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let account = store.account(&account_id)?;
    let query = CallQuery::read(query, app.clock.now())?;
    Ok(Json(query.list(&store, None, &format!("{}/call-log", account.uri), true)?))
}

pub async fn read_for_extension(
    State(app): State<AppState>,
    Ids((account_id, extension_id, call_id)): Ids<(String, String, String)>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    let view = params.enum_value("view")?.unwrap_or(View::Simple);
    let call = find(&store, Some(extension.id), &call_id)?;
    Ok(Json(call.render(&format!("{}/call-log", extension.uri), view, None)))
}

pub async fn read_for_account(
    State(app): State<AppState>,
    Ids((account_id, call_id)): Ids<(String, String)>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let account = store.account(&account_id)?;
    let view = params.enum_value("view")?.unwrap_or(View::Simple);
    let call = find(&store, None, &call_id)?;
    Ok(Json(call.render(&format!("{}/call-log", account.uri), view, Some(owner_ref(&store, call)))))
}
