//! The media endpoints: a message attachment's content and a call recording's.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::extract::{Ids, numeric_id};
use crate::media;
use crate::state::AppState;

/// `GET .../message-store/{messageId}/content/{attachmentId}`.
pub async fn message_content(
    State(app): State<AppState>,
    Ids((account_id, extension_id, message_id, attachment_id)): Ids<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let message = store.message(owner, numeric_id(&message_id, "messageId")?)?;
    let attachment_id = numeric_id(&attachment_id, "attachmentId")?;
    let attachment = message
        .attachments
        .iter()
        .find(|a| a.id == attachment_id)
        .ok_or_else(|| ApiError::not_found("attachmentId"))?;
    let bytes = match store.uploads.get(&attachment_id) {
        Some(bytes) => bytes.clone(),
        None => media::seeded_content(message, attachment).ok_or_else(|| ApiError::not_found("attachmentId"))?,
    };
    Ok(([(CONTENT_TYPE, attachment.content_type)], bytes).into_response())
}

/// `GET /restapi/v1.0/account/{accountId}/recording/{recordingId}/content`.
pub async fn recording_content(
    State(app): State<AppState>,
    Ids((account_id, recording_id)): Ids<(String, String)>,
) -> Result<Response, ApiError> {
    let store = app.store();
    store.account(&account_id)?;
    let recorded = store.calls.iter().any(|c| c.recording.as_ref().is_some_and(|r| r.id == recording_id));
    if !recorded {
        return Err(ApiError::not_found("recordingId"));
    }
    Ok(([(CONTENT_TYPE, "audio/mpeg")], media::silent_mp3()).into_response())
}
