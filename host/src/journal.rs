//! The journal of writes: what each account sent lately, shared by every
//! kosmo process of the user, so that an identical write (same integration,
//! account, tool and arguments) that succeeded, or whose outcome is unknown,
//! within [`WINDOW`] is refused instead of sent again: an agent retrying after
//! a timeout does not text someone twice. A deliberate repeat is allowed by
//! `--allow-repeat`, by a confirmation, or by the config.
//!
//! An entry is written *before* the request goes out (`pending`: the outcome
//! is unknown until the answer is in), then marked `sent` with what the
//! server returned, or removed when the write certainly did not happen.
//! Storage is behind [`JournalStore`]: one read-modify-write of one account's
//! entries under a lock; `file_store.rs` keeps them beside the token cache.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

mod file_store;
mod shared_store;
mod store;

pub use file_store::FileStore;
pub use store::{Entry, JournalStore, State};

/// How long a write counts as recent.
pub const WINDOW: Duration = Duration::from_secs(10 * 60);

/// Which write this is, whatever order its arguments came in.
#[derive(Clone, Debug)]
pub struct WriteKey {
    /// `<integration>/<account>`: whose journal it is in.
    pub account: String,
    pub tool: String,
    pub digest: String,
}

impl WriteKey {
    pub fn new(integration: &str, account: &str, tool: &str, arguments: &serde_json::Value) -> WriteKey {
        // serde_json's maps are sorted, so equal arguments serialize equally.
        let canonical = serde_json::json!([integration, account, tool, arguments]).to_string();
        let digest = crate::cache::hex(&Sha256::digest(canonical.as_bytes()));
        WriteKey { account: format!("{integration}/{account}"), tool: tool.to_string(), digest }
    }
}

/// A write entered in the journal, to be settled once its outcome is known.
#[derive(Debug)]
pub struct Ticket {
    key: WriteKey,
    id: String,
}

pub struct Journal {
    store: Arc<dyn JournalStore>,
}

impl Journal {
    pub fn new(store: Arc<dyn JournalStore>) -> Journal {
        Journal { store }
    }

    /// The journal where the token cache is: in the Redis of `KOSMO_STATE_URL`,
    /// else beside the cache files (`<user cache dir>/kosmo/journal`).
    pub fn default_location() -> Option<Journal> {
        use crate::shared_state::SharedState;
        if let Ok(state @ SharedState::Redis(_)) = SharedState::from_env() {
            // Kept past the no-repeat window; older entries are dropped by the journal itself.
            return Some(Journal::new(Arc::new(shared_store::SharedStore { state, keep: WINDOW * 2 })));
        }
        let root = dirs::cache_dir()?.join("kosmo");
        Some(Journal::new(Arc::new(FileStore::new(root.join("journal")))))
    }

    /// The recent identical write, if there is one.
    pub fn recent(&self, key: &WriteKey) -> Result<Option<Entry>, String> {
        let mut found = None;
        self.store.update(&key.account, &mut |entries| {
            forget_old(entries);
            found = entries.iter().find(|e| e.key == key.digest).cloned();
        })?;
        Ok(found)
    }

    /// Enters a write about to go out; refused with the recent identical one
    /// unless `allow_repeat`. The check and the entry are one locked step, so
    /// two processes cannot both send.
    pub fn begin(&self, key: &WriteKey, allow_repeat: bool) -> Result<Result<Ticket, Entry>, String> {
        let id = format!("{}-{}", std::process::id(), now_ms());
        let mut refused = None;
        self.store.update(&key.account, &mut |entries| {
            forget_old(entries);
            if !allow_repeat && let Some(recent) = entries.iter().find(|e| e.key == key.digest) {
                refused = Some(recent.clone());
                return;
            }
            entries.push(Entry {
                key: key.digest.clone(),
                tool: key.tool.clone(),
                at_ms: now_ms(),
                state: State::Pending,
                returned: None,
                ticket: id.clone(),
            });
        })?;
        Ok(match refused {
            Some(recent) => Err(recent),
            None => Ok(Ticket { key: key.clone(), id }),
        })
    }

    /// The write went out and the server said what it made.
    pub fn sent(&self, ticket: Ticket, returned: Option<String>) -> Result<(), String> {
        self.store.update(&ticket.key.account, &mut |entries| {
            if let Some(entry) = entries.iter_mut().find(|e| e.ticket == ticket.id) {
                entry.state = State::Sent;
                entry.returned = returned.clone();
            }
        })
    }

    /// The write certainly did not happen (refused before sending, or the
    /// server answered with an error): a retry is no repeat.
    pub fn not_sent(&self, ticket: Ticket) -> Result<(), String> {
        self.store.update(&ticket.key.account, &mut |entries| entries.retain(|e| e.ticket != ticket.id))
    }
}

fn forget_old(entries: &mut Vec<Entry>) {
    let now = now_ms();
    entries.retain(|e| now.saturating_sub(e.at_ms) < WINDOW.as_millis() as u64);
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> Journal {
        let dir = std::env::temp_dir().join(format!("kosmo-journal-test-{}-{}", std::process::id(), now_ms()));
        Journal::new(Arc::new(FileStore::new(dir)))
    }

    #[test]
    fn an_identical_write_is_refused_until_allowed_and_a_failed_one_is_forgotten() {
        let journal = journal();
        let args = serde_json::json!({"to": "+16505559876", "text": "hi", "from": "+16505551234"});
        let reordered = serde_json::json!({"from": "+16505551234", "text": "hi", "to": "+16505559876"});
        let key = WriteKey::new("ringcentral", "default", "send_sms", &args);
        let ticket = journal.begin(&key, false).unwrap().unwrap();
        let same = WriteKey::new("ringcentral", "default", "send_sms", &reordered);
        let pending = journal.begin(&same, false).unwrap().unwrap_err();
        assert_eq!(pending.state, State::Pending, "an unknown outcome counts");
        journal.sent(ticket, Some("message id 42".into())).unwrap();
        let recent = journal.begin(&same, false).unwrap().unwrap_err();
        assert!(recent.describe(now_ms()).contains("returned message id 42"), "{}", recent.describe(now_ms()));
        let other = WriteKey::new("ringcentral", "work", "send_sms", &args);
        let ticket = journal.begin(&other, false).unwrap().expect("another account is another journal");
        journal.not_sent(ticket).unwrap();
        assert!(journal.recent(&other).unwrap().is_none(), "a write that did not happen is forgotten");
        assert!(journal.begin(&same, true).unwrap().is_ok(), "--allow-repeat");
    }
}
