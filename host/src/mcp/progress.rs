//! MCP progress notifications for a call whose client sent a progress token:
//! each rate-limit wait, as it starts, is one `notifications/progress` with
//! the wait described in `message` (progress counts the waits so far).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;

use crate::pacing::WaitSink;

pub fn notifier(peer: Peer<RoleServer>, token: ProgressToken) -> WaitSink {
    let waits = Arc::new(AtomicU64::new(0));
    WaitSink(Arc::new(move |notice| {
        let count = waits.fetch_add(1, Ordering::Relaxed) + 1;
        let mut param = ProgressNotificationParam::new(token.clone(), count as f64);
        param.message = Some(notice.describe());
        crate::log::debug(format!("mcp: {}", notice.describe()));
        let peer = peer.clone();
        tokio::spawn(async move {
            if let Err(e) = peer.notify_progress(param).await {
                crate::log::debug(format!("mcp: could not send a progress notification: {e}"));
            }
        });
    }))
}
