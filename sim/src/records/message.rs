//! Message-store records (SMS, fax, voicemail, pager).

use jiff::Timestamp;
use serde::Serialize;
use strum::{EnumString, IntoStaticStr};

use super::Direction;
use crate::clock;

/// The first id the simulator hands out. RingCentral message ids exceed 2^53, so
/// clients that go through a double lose digits; starting above it makes that visible.
pub const FIRST_MESSAGE_ID: u64 = 9_007_199_254_741_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum MessageType {
    Fax,
    #[serde(rename = "SMS")]
    #[strum(serialize = "SMS")]
    Sms,
    VoiceMail,
    Pager,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum ReadStatus {
    Read,
    Unread,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum Availability {
    Alive,
    Deleted,
    Purged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MessageStatus {
    Queued,
    Sent,
    Delivered,
    Received,
}

/// A sender or recipient of a message.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub phone_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Per-recipient delivery state; only on outbound `to` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_status: Option<MessageStatus>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: u64,
    pub uri: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub content_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_duration: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    pub id: String,
    pub uri: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The extension whose message store holds this record.
    #[serde(skip)]
    pub owner: u64,
    pub uri: String,
    pub id: u64,
    pub extension_id: String,
    pub to: Vec<Party>,
    pub from: Party,
    #[serde(rename = "type")]
    pub kind: MessageType,
    #[serde(serialize_with = "clock::serialize")]
    pub creation_time: Timestamp,
    pub read_status: ReadStatus,
    pub priority: &'static str,
    pub attachments: Vec<Attachment>,
    pub direction: Direction,
    pub availability: Availability,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub message_status: MessageStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_sending_attempts_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax_page_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax_resolution: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_transcription_status: Option<&'static str>,
    #[serde(serialize_with = "clock::serialize")]
    pub last_modified_time: Timestamp,
}

impl Message {
    /// Purging drops the content for good; RingCentral keeps only the envelope.
    pub fn purge(&mut self, now: Timestamp) {
        self.availability = Availability::Purged;
        self.attachments.clear();
        self.subject = None;
        self.last_modified_time = now;
    }
}

/// The conversation id RingCentral derives for a pair of numbers; stable per counterpart.
pub fn conversation_id(counterpart: &str) -> u64 {
    let digits: u64 = counterpart
        .chars()
        .filter(char::is_ascii_digit)
        .fold(0, |acc, c| acc.wrapping_mul(10).wrapping_add(u64::from(c as u8 - b'0')));
    8_031_152_018_000_000_000 + digits % 1_000_000_000
}
