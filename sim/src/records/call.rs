//! Call-log records.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use strum::{EnumString, IntoStaticStr};

use super::Direction;
use crate::clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum CallType {
    Voice,
    Fax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr)]
pub enum View {
    Simple,
    Detailed,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallParty {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl CallParty {
    /// Whether this party has the number `digits`, compared without the `+`
    /// (the call-log `phoneNumber` filter is documented as E.164 without it).
    pub fn has_number(&self, digits: &str) -> bool {
        self.phone_number.as_deref().is_some_and(|n| n.trim_start_matches('+') == digits)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recording {
    pub uri: String,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub content_uri: String,
}

#[derive(Debug, Clone)]
pub struct CallRecord {
    /// The extension whose call log holds this record.
    pub owner: u64,
    pub id: String,
    pub session_id: String,
    pub telephony_session_id: String,
    pub start_time: Timestamp,
    pub duration_ms: i64,
    pub kind: CallType,
    pub direction: Direction,
    pub action: &'static str,
    pub result: &'static str,
    pub transport: &'static str,
    pub from: CallParty,
    pub to: CallParty,
    pub recording: Option<Recording>,
}

impl CallRecord {
    /// Renders the record as seen through `collection_uri` (the extension's or the
    /// account's call log). `extension` is the owner reference account-level lists add.
    pub fn render(&self, collection_uri: &str, view: View, extension: Option<Value>) -> Value {
        let view_name: &str = view.into();
        let mut record = json!({
            "uri": format!("{collection_uri}/{}?view={view_name}", self.id),
            "id": self.id,
            "sessionId": self.session_id,
            "telephonySessionId": self.telephony_session_id,
            "startTime": clock::format(self.start_time),
            "duration": self.duration_ms / 1000,
            "durationMs": self.duration_ms,
            "type": self.kind,
            "internalType": "Local",
            "direction": self.direction,
            "action": self.action,
            "result": self.result,
            "to": self.to,
            "from": self.from,
            "transport": self.transport,
            "lastModifiedTime": clock::format(self.end_time()),
        });
        if let Some(recording) = &self.recording {
            record["recording"] = json!(recording);
        }
        if let Some(extension) = extension {
            record["extension"] = extension;
        }
        if view == View::Detailed {
            record["billing"] = json!({ "costIncluded": 0.0, "costPurchased": 0.0 });
            record["legs"] = json!([{
                "startTime": clock::format(self.start_time),
                "duration": self.duration_ms / 1000,
                "durationMs": self.duration_ms,
                "type": self.kind,
                "direction": self.direction,
                "action": self.action,
                "result": self.result,
                "to": self.to,
                "from": self.from,
                "transport": self.transport,
                "legType": "Accept",
                "master": true,
            }]);
        }
        record
    }

    fn end_time(&self) -> Timestamp {
        let duration = jiff::SignedDuration::from_millis(self.duration_ms);
        self.start_time.checked_add(duration).unwrap_or(self.start_time)
    }
}
