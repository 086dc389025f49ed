//! The queue of faults tests inject through `/__sim/faults` (see `control.rs`);
//! `faults.rs` applies them to matching `/restapi` requests (the token endpoint
//! included) after they are recorded.
//!
//! `POST /__sim/faults` takes one fault or a list:
//! `{"method": "POST", "path": "/sms", "kind": "reset_after", "times": 1}`.
//! `path` matches the end of the request path; `method` is optional; `times`
//! (default 1) is how many requests the fault hits. Kinds:
//!
//! * `rate_limit` — `429 CMN-301` with `Retry-After: retry_after` (default 1) seconds;
//! * `unavailable` — `503 CMN-211`, with `Retry-After` if `retry_after` is given;
//! * `reset` — the connection is dropped before the request is handled;
//! * `reset_after` — the request is handled (an SMS is stored), then the connection is dropped;
//! * `slow` — the response is delayed by `delay_ms` (default 1000);
//! * `non_json` — `status` (default 502) with an HTML body;
//! * `expired_token` — `401 OAU-128`, as for an expired access token;
//! * `redirect` — `302` to `location`;
//! * `huge` — `200` with a JSON body of `size` bytes (default 32 MiB);
//! * `echo_authorization` — the normal response, plus the request's `Authorization`
//!   echoed in `authorization`, `set-cookie` and `x-echo-authorization` headers;
//! * `echo_request` — `200` with a `text/plain` body that echoes the request's
//!   `Authorization` line, repeated to `size` bytes (default once), as a
//!   debugging proxy or a misconfigured server would.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    RateLimit,
    Unavailable,
    Reset,
    ResetAfter,
    Slow,
    NonJson,
    ExpiredToken,
    Redirect,
    Huge,
    EchoAuthorization,
    EchoRequest,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    path: String,
    pub kind: Kind,
    #[serde(default = "one")]
    times: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
}

fn one() -> u32 {
    1
}

/// A list or a single fault, as `POST /__sim/faults` accepts them.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum FaultList {
    Many(Vec<Fault>),
    One(Fault),
}

impl FaultList {
    pub fn into_vec(self) -> Vec<Fault> {
        match self {
            FaultList::Many(faults) => faults,
            FaultList::One(fault) => vec![fault],
        }
    }
}

/// Pending faults, first match wins.
#[derive(Default)]
pub struct Faults(Mutex<VecDeque<Fault>>);

impl Faults {
    pub fn add(&self, faults: Vec<Fault>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend(faults);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    pub fn pending(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }

    /// Takes one shot of the first fault matching the request, if any.
    pub fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let index = faults.iter().position(|f| {
            f.times > 0 && path.ends_with(&f.path) && f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let fault = faults[index].clone();
        faults[index].times -= 1;
        if faults[index].times == 0 {
            faults.remove(index);
        }
        Some(fault)
    }
}
