//! The journal in the state `KOSMO_STATE_URL` names (Redis): one document per
//! account, changed in one transaction, so kosmo processes on every machine
//! that shares the RingCentral user refuse each other's repeats too.

use std::time::Duration;

use super::store::{Entry, JournalStore};
use crate::shared_state::SharedState;

pub struct SharedStore {
    pub state: SharedState,
    /// How long Redis keeps an account's document after its last change.
    pub keep: Duration,
}

impl JournalStore for SharedStore {
    fn update(&self, account: &str, change: &mut dyn FnMut(&mut Vec<Entry>)) -> Result<(), String> {
        self.state.update("journal", account, &mut |text, _now_ms| {
            let mut entries: Vec<Entry> = serde_json::from_str(text).unwrap_or_default();
            change(&mut entries);
            (serde_json::to_string(&entries).unwrap_or_default(), self.keep)
        })
    }
}
