//! `POST .../sms`: send a text. The message is stored as Queued and Outbound, so it
//! shows up in the sender's message store.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::errors::ApiError;
use crate::extract::{Ids, JsonBody};
use crate::records::Direction;
use crate::records::directory::{Extension, NumberFeature};
use crate::records::message::{
    self, Attachment, Availability, Conversation, Message, MessageStatus, MessageType, Party, ReadStatus,
};
use crate::state::AppState;
use crate::store::Store;

/// Limit of the `text` field, in UTF-16 code units (docs: 1000 characters).
const MAX_TEXT_UNITS: usize = 1000;
/// Group messages reach at most this many recipients.
const MAX_RECIPIENTS: usize = 10;

#[derive(Deserialize)]
pub struct SmsRequest {
    from: Option<NumberRef>,
    #[serde(default)]
    to: Vec<NumberRef>,
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberRef {
    phone_number: Option<String>,
}

impl NumberRef {
    pub fn phone_number(self) -> Option<String> {
        self.phone_number
    }
}

pub async fn send(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    JsonBody(request): JsonBody<SmsRequest>,
) -> Result<Json<Message>, ApiError> {
    let mut store = app.store();
    let sender = store.extension(&account_id, &extension_id)?.clone();
    let from = sender_number(&store, &sender, request.from)?;
    let to = recipients(request.to)?;
    let text = text(request.text)?;

    let now = app.clock.now();
    let id = store.next_message_id;
    store.next_message_id += 1;
    let uri = format!("{}/message-store/{id}", sender.uri);
    let conversation_id = message::conversation_id(&to[0]);
    let record = Message {
        owner: sender.id,
        id,
        extension_id: sender.id.to_string(),
        to: to
            .into_iter()
            .map(|phone_number| Party { phone_number, message_status: Some(MessageStatus::Queued), ..Party::default() })
            .collect(),
        from: Party { phone_number: from, name: Some(sender.name.clone()), ..Party::default() },
        kind: MessageType::Sms,
        creation_time: now,
        read_status: ReadStatus::Read,
        priority: "Normal",
        attachments: vec![Attachment {
            id,
            uri: format!("{uri}/content/{id}"),
            kind: "Text",
            content_type: "text/plain",
            vm_duration: None,
        }],
        direction: Direction::Outbound,
        availability: Availability::Alive,
        subject: Some(text),
        message_status: MessageStatus::Queued,
        sms_sending_attempts_count: Some(1),
        conversation_id: Some(conversation_id),
        conversation: Some(Conversation {
            id: conversation_id.to_string(),
            uri: format!("{}/conversation/{conversation_id}", store.account.api_root),
        }),
        fax_page_count: None,
        fax_resolution: None,
        vm_transcription_status: None,
        last_modified_time: now,
        uri,
    };
    store.messages.push(record.clone());
    Ok(Json(record))
}

/// `from` must be one of the sender's numbers, and one that may send SMS.
pub(super) fn sender_number(store: &Store, sender: &Extension, from: Option<NumberRef>) -> Result<String, ApiError> {
    sender_number_with(store, sender, from, NumberFeature::SmsSender)
}

/// `from` must be one of the sender's numbers, and one with `feature` (SMS or MMS).
pub(super) fn sender_number_with(
    store: &Store,
    sender: &Extension,
    from: Option<NumberRef>,
    feature: NumberFeature,
) -> Result<String, ApiError> {
    let wanted = from
        .and_then(|f| f.phone_number)
        .and_then(|n| normalize(&n))
        .ok_or_else(|| ApiError::invalid_parameter("from"))?;
    let number = store.numbers_of(sender).find(|n| n.phone_number == wanted).ok_or_else(|| {
        ApiError::new(StatusCode::FORBIDDEN, "MSG-304", "Phone number doesn't belong to extension")
            .with_parameter("from")
    })?;
    if !number.has_feature(feature) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "MSG-242", "Sending SMS from this number is not available")
            .with_parameter("from"));
    }
    Ok(wanted)
}

pub(super) fn recipients(to: Vec<NumberRef>) -> Result<Vec<String>, ApiError> {
    if to.is_empty() || to.len() > MAX_RECIPIENTS {
        return Err(ApiError::invalid_parameter("to"));
    }
    to.into_iter()
        .map(|r| r.phone_number.and_then(|n| normalize(&n)).ok_or_else(|| ApiError::invalid_parameter("to")))
        .collect()
}

pub(super) fn text(text: Option<String>) -> Result<String, ApiError> {
    let text = text.filter(|t| !t.trim().is_empty()).ok_or_else(|| ApiError::invalid_parameter("text"))?;
    if text.encode_utf16().count() > MAX_TEXT_UNITS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "MSG-338",
            format!("Text length exceeds the limit of {MAX_TEXT_UNITS} characters"),
        )
        .with_parameter("text"));
    }
    Ok(text)
}

/// E.164 with the `+`; a bare run of 7 to 15 digits is accepted and given one.
pub(super) fn normalize(number: &str) -> Option<String> {
    let digits = number.strip_prefix('+').unwrap_or(number);
    let valid = (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_e164() {
        assert_eq!(normalize("+16505550101").as_deref(), Some("+16505550101"));
        assert_eq!(normalize("16505550101").as_deref(), Some("+16505550101"));
        assert_eq!(normalize("650-555-0101"), None);
        assert_eq!(normalize("+1"), None);
    }

    #[test]
    fn text_limit_counts_utf16_units() {
        assert!(text(Some("a".repeat(1000))).is_ok());
        assert!(text(Some("a".repeat(1001))).is_err());
        // Each emoji is two UTF-16 units.
        assert!(text(Some("😀".repeat(500))).is_ok());
        assert!(text(Some("😀".repeat(501))).is_err());
        assert!(text(Some("  ".into())).is_err());
        assert!(text(None).is_err());
    }
}
