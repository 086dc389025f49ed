//! The journal in the state `KOSMO_STATE_URL` names (Redis): one document per
//! account, changed in one transaction, so kosmo processes on every machine
//! that shares the RingCentral user refuse each other's repeats too.

use super::store::{Entry, JournalStore};
use crate::shared_state::SharedState;

pub struct SharedStore(pub SharedState);

impl JournalStore for SharedStore {
    fn update(&self, account: &str, change: &mut dyn FnMut(&mut Vec<Entry>)) -> Result<(), String> {
        self.0.update("journal", account, &mut |text, _now_ms| {
            let mut entries: Vec<Entry> = serde_json::from_str(text).unwrap_or_default();
            change(&mut entries);
            // Kept past the no-repeat window; older entries are dropped by the journal itself.
            (serde_json::to_string(&entries).unwrap_or_default(), super::WINDOW * 2)
        })
    }
}
