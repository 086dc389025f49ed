//! The process groups of the MCP servers kosmo started, so that every exit
//! ends them: the normal end of a command, the watchdog's exit after a stuck
//! script, and SIGINT, SIGTERM or SIGHUP. Each server runs as the leader of a
//! group of its own, so the tools it started (`npx` starts `node`) go with it.

use std::sync::Mutex;

static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Records a server's process group; the first one arms the signal handler.
pub fn register(pgid: u32) {
    let Ok(pgid) = i32::try_from(pgid) else { return };
    let mut groups = GROUPS.lock().unwrap_or_else(|e| e.into_inner());
    if groups.is_empty() {
        watch_signals();
    }
    groups.push(pgid);
}

/// Kills every recorded group (SIGKILL) and forgets it; a group that is gone already is no error.
pub fn kill_all() {
    let groups = std::mem::take(&mut *GROUPS.lock().unwrap_or_else(|e| e.into_inner()));
    for pgid in groups {
        // SAFETY: killpg only sends a signal; a group id of a server we started, never 0 or 1.
        if pgid > 1 {
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

/// On SIGINT, SIGTERM or SIGHUP: end the servers, then kosmo, with the
/// shell's status for the signal (128 + its number). Until a server runs,
/// kosmo keeps the default handling. Called inside the async runtime.
fn watch_signals() {
    use tokio::signal::unix::{SignalKind, signal};
    let signals = [
        (SignalKind::interrupt(), libc::SIGINT),
        (SignalKind::terminate(), libc::SIGTERM),
        (SignalKind::hangup(), libc::SIGHUP),
    ];
    for (kind, number) in signals {
        let Ok(mut stream) = signal(kind) else { continue };
        tokio::spawn(async move {
            if stream.recv().await.is_some() {
                kill_all();
                std::process::exit(128 + number);
            }
        });
    }
}
