//! New message records beyond SMS: what `/__sim/inbound` delivers and the
//! faxes and MMS the API sends, with their attachments' content kept for the
//! media endpoint.

use jiff::Timestamp;

use crate::records::Direction;
use crate::records::directory::Extension;
use crate::records::message::{
    self, Attachment, Availability, Conversation, Message, MessageStatus, MessageType, Party, ReadStatus,
};
use crate::store::Store;

/// One attachment of a new message: its type (`Text`, `RenderedDocument`,
/// `MmsAttachment`), content type and bytes.
pub struct NewAttachment {
    pub kind: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

pub struct NewMessage {
    pub kind: MessageType,
    pub direction: Direction,
    pub from: Party,
    pub to: Vec<Party>,
    pub subject: Option<String>,
    pub attachments: Vec<NewAttachment>,
    pub status: MessageStatus,
    pub fax_resolution: Option<&'static str>,
}

/// Stores `new` in `owner`'s message store and returns the record.
pub fn deliver(store: &mut Store, owner: &Extension, new: NewMessage, now: Timestamp) -> Message {
    let id = store.next_message_id;
    let uri = format!("{}/message-store/{id}", owner.uri);
    let mut attachments = Vec::new();
    for (n, attachment) in new.attachments.into_iter().enumerate() {
        let attachment_id = id + n as u64;
        store.uploads.insert(attachment_id, attachment.bytes);
        attachments.push(Attachment {
            id: attachment_id,
            uri: format!("{uri}/content/{attachment_id}"),
            kind: attachment.kind,
            content_type: attachment.content_type,
            vm_duration: None,
        });
    }
    store.next_message_id += attachments.len().max(1) as u64;
    let counterpart = match new.direction {
        Direction::Inbound => new.from.phone_number.clone(),
        Direction::Outbound => new.to.first().map(|p| p.phone_number.clone()).unwrap_or_default(),
    };
    let sms = new.kind == MessageType::Sms;
    let conversation_id = sms.then(|| message::conversation_id(&counterpart));
    let fax = new.kind == MessageType::Fax;
    let record = Message {
        owner: owner.id,
        id,
        extension_id: owner.id.to_string(),
        to: new.to,
        from: new.from,
        kind: new.kind,
        creation_time: now,
        read_status: if new.direction == Direction::Inbound { ReadStatus::Unread } else { ReadStatus::Read },
        priority: "Normal",
        fax_page_count: fax.then_some(attachments.len() as u32),
        attachments,
        direction: new.direction,
        availability: Availability::Alive,
        subject: new.subject,
        message_status: new.status,
        sms_sending_attempts_count: (sms && new.direction == Direction::Outbound).then_some(1),
        conversation_id,
        conversation: conversation_id.map(|id| Conversation {
            id: id.to_string(),
            uri: format!("{}/conversation/{id}", store.account.api_root),
        }),
        fax_resolution: new.fax_resolution,
        vm_transcription_status: None,
        last_modified_time: now,
        uri,
    };
    store.messages.push(record.clone());
    record
}

/// `POST /__sim/inbound` `{"type": "SMS", "from": "+1…", "text": "…"}`: an SMS
/// from `from` arrives in the session extension's message store, to its SMS
/// number. Answers 201 with the stored record.
pub async fn inbound(
    axum::extract::State(app): axum::extract::State<crate::state::AppState>,
    axum::Json(request): axum::Json<Inbound>,
) -> Result<(axum::http::StatusCode, axum::Json<Message>), (axum::http::StatusCode, String)> {
    let refuse = |why: &str| (axum::http::StatusCode::BAD_REQUEST, why.to_owned());
    if request.kind != "SMS" {
        return Err(refuse("only \"type\": \"SMS\" can be delivered"));
    }
    let from =
        request.from.strip_prefix('+').filter(|d| (7..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    let from =
        from.map(|d| format!("+{d}")).ok_or_else(|| refuse("\"from\" must be an E.164 number such as +16505559876"))?;
    let text = request.text.filter(|t| !t.is_empty()).ok_or_else(|| refuse("\"text\" must be a non-empty string"))?;
    let mut store = app.store();
    let owner = store.extension_by_id(store.session_owner).cloned().ok_or_else(|| refuse("no session extension"))?;
    let ours = store
        .numbers_of(&owner)
        .find(|n| n.has_feature(crate::records::directory::NumberFeature::SmsSender))
        .map(|n| n.phone_number.to_owned())
        .unwrap_or_default();
    let new = NewMessage {
        kind: MessageType::Sms,
        direction: Direction::Inbound,
        from: Party { phone_number: from, ..Party::default() },
        to: vec![Party { phone_number: ours, name: Some(owner.name.clone()), ..Party::default() }],
        subject: Some(text.clone()),
        attachments: vec![NewAttachment { kind: "Text", content_type: "text/plain", bytes: text.into_bytes() }],
        status: MessageStatus::Received,
        fax_resolution: None,
    };
    let record = deliver(&mut store, &owner, new, app.clock.now());
    Ok((axum::http::StatusCode::CREATED, axum::Json(record)))
}

#[derive(serde::Deserialize)]
pub struct Inbound {
    #[serde(rename = "type")]
    kind: String,
    from: String,
    text: Option<String>,
}
