//! RingOut sessions: two-legged calls placed through the API.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct RingOut {
    pub id: String,
    pub uri: String,
    pub status: RingOutStatus,
    #[serde(skip)]
    pub owner: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RingOutStatus {
    pub call_status: &'static str,
    pub caller_status: &'static str,
    pub callee_status: &'static str,
}
