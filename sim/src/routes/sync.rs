//! `GET .../message-sync`: a full sync (`FSync`: the latest records and a
//! token) or an incremental one (`ISync` with that token: the messages that
//! arrived since). The token is the next message id at the time of the sync, so
//! an incremental sync returns exactly the messages stored after it.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::clock;
use crate::errors::ApiError;
use crate::extract::{Ids, Params};
use crate::list_query::allows;
use crate::records::message::{Availability, Message, MessageType};
use crate::state::AppState;

const TOKEN_PREFIX: &str = "sim-sync-";
/// Records of a full sync when `recordCount` is not given.
const DEFAULT_RECORD_COUNT: usize = 250;

pub async fn sync(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let owner = store.extension(&account_id, &extension_id)?;
    let types: Vec<MessageType> = params.enums("messageType")?;
    let record_count = match params.single("recordCount") {
        Some(n) => {
            n.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| ApiError::invalid_parameter("recordCount"))?
        }
        None => DEFAULT_RECORD_COUNT,
    };
    let mine = |m: &&Message| m.owner == owner.id && allows(&types, m.kind);
    let (sync_type, records): (&str, Vec<&Message>) = match params.single("syncType").unwrap_or("FSync") {
        "FSync" => {
            let mut records: Vec<&Message> =
                store.messages.iter().filter(mine).filter(|m| m.availability == Availability::Alive).collect();
            records.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then(b.id.cmp(&a.id)));
            records.truncate(record_count);
            ("FSync", records)
        }
        "ISync" => {
            let since = params
                .single("syncToken")
                .and_then(|t| t.strip_prefix(TOKEN_PREFIX))
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(|| ApiError::invalid_parameter("syncToken"))?;
            ("ISync", store.messages.iter().filter(mine).filter(|m| m.id >= since).collect())
        }
        _ => return Err(ApiError::invalid_parameter("syncType")),
    };
    Ok(Json(json!({
        "uri": format!("{}/message-sync", owner.uri),
        "records": records,
        "syncInfo": {
            "syncType": sync_type,
            "syncToken": format!("{TOKEN_PREFIX}{}", store.next_message_id),
            "syncTime": clock::format(app.clock.now()),
            "olderRecordsExist": false,
        },
    })))
}
