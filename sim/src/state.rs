//! State shared by every request.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::clock::Clock;
use crate::platform::Platform;
use crate::request_log::RequestLog;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    store: Mutex<Store>,
    pub clock: Clock,
    /// Bearer tokens the simulator accepts; every one logs in as the same extension.
    pub tokens: Vec<String>,
    pub requests: RequestLog,
    /// OAuth sessions, rate limits and injected faults.
    pub platform: Platform,
}

impl AppState {
    pub fn new(store: Store, clock: Clock, tokens: Vec<String>, seed: u64, platform: Platform) -> Self {
        Self(Arc::new(Shared { store: Mutex::new(store), clock, tokens, requests: RequestLog::new(seed), platform }))
    }

    /// Locks the data. Handlers never await while holding it; a poisoned lock is
    /// recovered so one failed request does not take the simulator down.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
