//! What the journal keeps, and the narrow interface of its storage: one
//! read-modify-write of one account's entries under a lock (a file beside the
//! token cache now; another backend fits behind the same trait).

use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One write, as the journal remembers it. No secrets: arguments are kept as
/// their digest only.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// sha256 of the integration, account, tool and canonical arguments.
    pub key: String,
    pub tool: String,
    /// When it went out, in milliseconds since the epoch.
    pub at_ms: u64,
    pub state: State,
    /// What the server returned that names the result (a message id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<String>,
    /// Which process wrote it, to tell one entry from another.
    pub ticket: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Sent, no answer yet (or the answer was lost): it may have happened.
    Pending,
    Sent,
}

impl Entry {
    /// "went out at 2026-…Z (3 min ago) and returned message id 123".
    pub fn describe(&self, now_ms: u64) -> String {
        let at = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(self.at_ms));
        let ago = now_ms.saturating_sub(self.at_ms) / 1000;
        let outcome = match (&self.state, &self.returned) {
            (State::Sent, Some(returned)) => format!("returned {returned}"),
            (State::Sent, None) => "succeeded".to_string(),
            (State::Pending, _) => "its outcome is unknown (no answer came back)".to_string(),
        };
        format!("an identical {} went out at {at} ({ago} s ago) and {outcome}", self.tool)
    }
}

/// Where the journal is kept: one account's entries, read, changed and
/// written back under a lock that every process of the user respects.
pub trait JournalStore: Send + Sync {
    fn update(&self, account: &str, change: &mut dyn FnMut(&mut Vec<Entry>)) -> Result<(), String>;
}
