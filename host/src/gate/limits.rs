//! What the gate of one tool call shares with its exchanges: the limits, and
//! the notes that say why it refused or gave up.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Limits on what one tool call may do over HTTP.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub between_bytes_timeout: Duration,
    pub max_request_body: u64,
    pub max_response_body: u64,
    /// Requests the plugin may make in one call; the host's own retries are extra.
    pub max_requests: u32,
    /// Automatic retries of one idempotent request (429, 503, a dropped connection).
    pub max_retries: u32,
    /// The longest a request may spend waiting between retries, in total.
    pub retry_budget: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(30),
            between_bytes_timeout: Duration::from_secs(30),
            max_request_body: 2 << 20,
            max_response_body: 16 << 20,
            max_requests: 20,
            max_retries: 2,
            retry_budget: Duration::from_secs(10),
        }
    }
}

/// Why the gate refused or gave up, for the host's error message: the plugin
/// only sees an error code.
#[derive(Clone, Default)]
pub struct Notes(Arc<Mutex<Vec<String>>>);

impl Notes {
    pub fn push(&self, note: String) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(note);
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}
