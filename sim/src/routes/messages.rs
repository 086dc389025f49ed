//! The message store: list, read, update and delete.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use strum::EnumString;

use crate::errors::ApiError;
use crate::extract::{Ids, JsonBody, Params, numeric_id};
use crate::list_query::{ListQuery, allows};
use crate::records::Direction;
use crate::records::message::{Availability, Message, MessageType, ReadStatus};
use crate::state::AppState;

/// `GET .../message-store`: newest first, `availability=Alive` and the last 24 hours
/// unless the query says otherwise.
pub async fn list(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    mut query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    let types: Vec<MessageType> = query.enums("messageType")?;
    let directions: Vec<Direction> = query.enums("direction")?;
    let read_statuses: Vec<ReadStatus> = query.enums("readStatus")?;
    let availabilities: Vec<Availability> = query.enums_or("availability", Availability::Alive)?;
    let window = query.date_window(app.clock.now())?;

    let mut hits: Vec<&Message> = store
        .messages
        .iter()
        .filter(|m| {
            m.owner == extension.id
                && allows(&types, m.kind)
                && allows(&directions, m.direction)
                && allows(&read_statuses, m.read_status)
                && allows(&availabilities, m.availability)
                && window.contains(m.creation_time)
        })
        .collect();
    hits.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then(b.id.cmp(&a.id)));
    Ok(Json(query.page(&format!("{}/message-store", extension.uri), false, &hits)?))
}

/// `GET .../message-store/{messageId}`.
pub async fn read(
    State(app): State<AppState>,
    Ids((account_id, extension_id, message_id)): Ids<(String, String, String)>,
) -> Result<Json<Message>, ApiError> {
    let store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    Ok(Json(store.message(owner, numeric_id(&message_id, "messageId")?)?.clone()))
}

/// The body of PUT: only the read status can be replaced.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMessage {
    read_status: Option<String>,
}

/// The body of PATCH: either field or both.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchMessage {
    read_status: Option<String>,
    availability: Option<String>,
}

/// `PUT .../message-store/{messageId}` with `{"readStatus"}`.
pub async fn update(
    State(app): State<AppState>,
    Ids((account_id, extension_id, message_id)): Ids<(String, String, String)>,
    JsonBody(body): JsonBody<UpdateMessage>,
) -> Result<Json<Message>, ApiError> {
    let read_status = body.read_status.ok_or_else(|| ApiError::invalid_parameter("readStatus"))?;
    let change = PatchMessage { read_status: Some(read_status), availability: None };
    apply(&app, (account_id, extension_id, message_id), change)
}

/// `PATCH .../message-store/{messageId}` with `{"readStatus"?, "availability"?}`;
/// `availability: Alive` restores a Deleted message.
pub async fn patch(
    State(app): State<AppState>,
    Ids(path): Ids<(String, String, String)>,
    JsonBody(change): JsonBody<PatchMessage>,
) -> Result<Json<Message>, ApiError> {
    if change.read_status.is_none() && change.availability.is_none() {
        return Err(ApiError::invalid_parameter("readStatus"));
    }
    apply(&app, path, change)
}

fn apply(
    app: &AppState,
    (account_id, extension_id, message_id): (String, String, String),
    change: PatchMessage,
) -> Result<Json<Message>, ApiError> {
    let read_status: Option<ReadStatus> = change.read_status.map(|v| parse_field(&v, "readStatus")).transpose()?;
    let availability: Option<Availability> =
        change.availability.map(|v| parse_field(&v, "availability")).transpose()?;
    let now = app.clock.now();
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let message = store.message_mut(owner, numeric_id(&message_id, "messageId")?)?;
    match (message.availability, availability) {
        // Purged content is gone; it cannot come back.
        (Availability::Purged, Some(wanted)) if wanted != Availability::Purged => {
            return Err(ApiError::invalid_parameter("availability"));
        }
        (_, Some(Availability::Purged)) => message.purge(now),
        (_, Some(wanted)) => message.availability = wanted,
        (_, None) => {}
    }
    if let Some(read_status) = read_status {
        message.read_status = read_status;
    }
    message.last_modified_time = now;
    Ok(Json(message.clone()))
}

fn parse_field<T: FromStr>(value: &str, name: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| ApiError::invalid_parameter(name))
}

/// `DELETE .../message-store/{messageId}`: the first delete moves the message to
/// Deleted, the next one (or `purge=true`) to Purged. Always 204.
pub async fn delete(
    State(app): State<AppState>,
    Ids((account_id, extension_id, message_id)): Ids<(String, String, String)>,
    params: Params,
) -> Result<StatusCode, ApiError> {
    let purge = params.boolean("purge")?.unwrap_or(false);
    let now = app.clock.now();
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let message = store.message_mut(owner, numeric_id(&message_id, "messageId")?)?;
    delete_one(message, purge, now);
    Ok(StatusCode::NO_CONTENT)
}

fn delete_one(message: &mut Message, purge: bool, now: Timestamp) {
    if purge || message.availability != Availability::Alive {
        message.purge(now);
    } else {
        message.availability = Availability::Deleted;
        message.last_modified_time = now;
    }
}

/// The `type` filter of a bulk delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString)]
enum DeleteType {
    Fax,
    #[strum(serialize = "SMS")]
    Sms,
    VoiceMail,
    Pager,
    Text,
    All,
}

impl DeleteType {
    fn covers(self, kind: MessageType) -> bool {
        match self {
            DeleteType::All => true,
            DeleteType::Text => matches!(kind, MessageType::Sms | MessageType::Pager),
            DeleteType::Fax => kind == MessageType::Fax,
            DeleteType::Sms => kind == MessageType::Sms,
            DeleteType::VoiceMail => kind == MessageType::VoiceMail,
            DeleteType::Pager => kind == MessageType::Pager,
        }
    }
}

/// `DELETE .../message-store` with no id deletes every message (up to `dateTo`, of
/// `type`). RingCentral really does this, which is why clients must never send an
/// empty message id; the simulator models it so a test can show the damage.
pub async fn delete_all(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    params: Params,
) -> Result<StatusCode, ApiError> {
    let kind = params.enum_value::<DeleteType>("type")?.unwrap_or(DeleteType::All);
    let now = app.clock.now();
    let until = params.timestamp("dateTo")?.unwrap_or(now);
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    for message in store.messages.iter_mut().filter(|m| m.owner == owner) {
        if kind.covers(message.kind) && message.creation_time <= until && message.availability == Availability::Alive {
            delete_one(message, false, now);
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
