//! `POST .../fax` and `POST .../mms`: `multipart/form-data` sends, stored as
//! outbound messages whose attachments keep the uploaded bytes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::sms::{NumberRef, normalize, recipients, sender_number_with, text};
use crate::errors::ApiError;
use crate::extract::Ids;
use crate::mailbox::{self, NewAttachment, NewMessage};
use crate::media::known_content_type;
use crate::multipart::Form;
use crate::records::Direction;
use crate::records::directory::NumberFeature;
use crate::records::message::{Message, MessageStatus, MessageType, Party};
use crate::state::AppState;

/// The fax number a fax goes out from.
const FAX_SENDER: &str = "+16505550109";
const MAX_COVER_PAGE_TEXT: usize = 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaxRecipient {
    phone_number: Option<String>,
    name: Option<String>,
}

fn attachments(form: &Form, field: &str, kind: &'static str) -> Result<Vec<NewAttachment>, ApiError> {
    let files: Vec<NewAttachment> = form
        .files(field)
        .map(|p| NewAttachment {
            kind,
            content_type: known_content_type(p.content_type.as_deref()),
            bytes: p.data.clone(),
        })
        .collect();
    if files.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "CMN-100", format!("Parameter [{field}] is required"))
            .with_parameter(field));
    }
    Ok(files)
}

pub async fn send_fax(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    form: Form,
) -> Result<Json<Message>, ApiError> {
    let to: Vec<FaxRecipient> = form.json("to")?.unwrap_or_default();
    let to = to
        .into_iter()
        .map(|r| {
            let phone_number =
                r.phone_number.and_then(|n| normalize(&n)).ok_or_else(|| ApiError::invalid_parameter("to"))?;
            Ok(Party { phone_number, name: r.name, message_status: Some(MessageStatus::Queued), ..Party::default() })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    if to.is_empty() {
        return Err(ApiError::invalid_parameter("to"));
    }
    let resolution = match form.text("faxResolution") {
        None => None,
        Some("High") => Some("High"),
        Some("Low") => Some("Low"),
        Some(_) => return Err(ApiError::invalid_parameter("faxResolution")),
    };
    let cover = form.text("coverPageText").map(str::to_owned);
    if cover.as_ref().is_some_and(|c| c.encode_utf16().count() > MAX_COVER_PAGE_TEXT) {
        return Err(ApiError::invalid_parameter("coverPageText"));
    }
    let files = attachments(&form, "attachment", "RenderedDocument")?;
    let mut store = app.store();
    let sender = store.extension(&account_id, &extension_id)?.clone();
    let from = Party { phone_number: FAX_SENDER.into(), name: Some(sender.name.clone()), ..Party::default() };
    let new = NewMessage {
        kind: MessageType::Fax,
        direction: Direction::Outbound,
        from,
        to,
        subject: cover,
        attachments: files,
        status: MessageStatus::Queued,
        fax_resolution: Some(resolution.unwrap_or("High")),
    };
    Ok(Json(mailbox::deliver(&mut store, &sender, new, app.clock.now())))
}

pub async fn send_mms(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    form: Form,
) -> Result<Json<Message>, ApiError> {
    let from: Option<NumberRef> = form.json("from")?;
    let to: Vec<NumberRef> = form.json("to")?.unwrap_or_default();
    let to = recipients(to)?;
    let subject = match form.text("text") {
        Some(t) => Some(text(Some(t.to_owned()))?),
        None => None,
    };
    let files = attachments(&form, "attachments", "MmsAttachment")?;
    let mut store = app.store();
    let sender = store.extension(&account_id, &extension_id)?.clone();
    let from = sender_number_with(&store, &sender, from, NumberFeature::MmsSender)?;
    let new = NewMessage {
        kind: MessageType::Sms,
        direction: Direction::Outbound,
        from: Party { phone_number: from, name: Some(sender.name.clone()), ..Party::default() },
        to: to
            .into_iter()
            .map(|phone_number| Party { phone_number, message_status: Some(MessageStatus::Queued), ..Party::default() })
            .collect(),
        subject,
        attachments: files,
        status: MessageStatus::Queued,
        fax_resolution: None,
    };
    Ok(Json(mailbox::deliver(&mut store, &sender, new, app.clock.now())))
}
