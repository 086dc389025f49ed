//! The audit log of write decisions: one JSON line per decision (sent,
//! refused, declined, previewed, repeat_refused, failed) appended to
//! `<user state dir>/kosmo/audit.jsonl` (`~/.local/state/kosmo/audit.jsonl`
//! on Linux; `KOSMO_AUDIT_LOG` names another file, `off` turns it off), 0600.
//! No secrets: arguments are kept as their digest, requests as method and URL.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use serde::Serialize;

/// One decision on one write call.
#[derive(Serialize)]
pub struct Record<'a> {
    pub time: String,
    pub decision: &'a str,
    pub integration: &'a str,
    pub account: &'a str,
    pub tool: &'a str,
    /// The journal key: sha256 of integration, account, tool and arguments.
    pub arguments_sha256: &'a str,
    /// `METHOD URL` of each request the plugin built, when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<String>,
    /// What the server returned that names the result (a message id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<String>,
    /// Why, for a refusal or a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub pid: u32,
}

/// Where the log goes; `None` when turned off or there is no state directory.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os("KOSMO_AUDIT_LOG") {
        Some(value) if value == "off" => None,
        Some(value) if !value.is_empty() => Some(PathBuf::from(value)),
        _ => dirs::state_dir().or_else(dirs::data_local_dir).map(|dir| dir.join("kosmo").join("audit.jsonl")),
    }
}

/// Appends a record; trouble with the log is a warning, never a failed call.
pub fn append(record: Record<'_>) {
    let Some(path) = path() else { return };
    let line = match serde_json::to_string(&record) {
        Ok(line) => line + "\n",
        Err(_) => return,
    };
    let written = (|| -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            let fresh = !dir.exists();
            std::fs::create_dir_all(dir)?;
            if fresh {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path)?;
        // One write of one line: appends of whole lines do not interleave.
        file.write_all(line.as_bytes())
    })();
    if let Err(e) = written {
        crate::log::warn(format!("could not append to the audit log {}: {e}", path.display()));
    }
}

pub fn now() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}
