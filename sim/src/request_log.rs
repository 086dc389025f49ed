//! The log of every request that reached `/restapi`, which tests read through
//! `/__sim/requests`, and the `RCRequestId` each one is answered with. `wire.rs`
//! fills it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub query: String,
    /// Lower-case header names; repeated headers are joined with ", ".
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

pub struct RequestLog {
    seed: u64,
    counter: AtomicU64,
    entries: Mutex<Vec<LoggedRequest>>,
}

impl RequestLog {
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: AtomicU64::new(0), entries: Mutex::new(Vec::new()) }
    }

    /// Uuid-shaped and deterministic: the seed, then a counter.
    pub fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:08x}-0000-4000-8000-{n:012x}", self.seed as u32)
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    pub fn push(&self, entry: LoggedRequest) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).push(entry);
    }
}
