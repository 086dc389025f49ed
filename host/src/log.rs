//! Diagnostics on stderr. Warnings always; `KOSMO_LOG=debug` adds what the
//! host did and how long it took (compiles and compile-cache hits, hot swaps,
//! MCP calls). Standard output stays the command's own (and in `mcp:serve`,
//! the protocol's).
//!
//! Everything kosmo writes to stderr goes through here, escaped: messages
//! quote what plugins and servers said (see `untrusted_text`). A log line stays
//! one line; a command's error may span lines (a traceback, a config error).

use std::sync::OnceLock;

use crate::untrusted_text;

/// Whether `KOSMO_LOG=debug` is set (read once).
pub fn debug_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| {
        std::env::var("KOSMO_LOG").is_ok_and(|level| {
            level.split(',').any(|part| matches!(part.trim().to_ascii_lowercase().as_str(), "debug" | "trace"))
        })
    })
}

pub fn debug(message: impl std::fmt::Display) {
    if debug_enabled() {
        eprintln!("kosmo: debug: {}", untrusted_text::line(&message.to_string()));
    }
}

pub fn info(message: impl std::fmt::Display) {
    eprintln!("kosmo: {}", untrusted_text::line(&message.to_string()));
}

pub fn warn(message: impl std::fmt::Display) {
    eprintln!("kosmo: warning: {}", untrusted_text::line(&message.to_string()));
}

/// Why a command could not do its job (`kosmo: ...`); may span lines.
pub fn failure(message: impl std::fmt::Display) {
    eprintln!("kosmo: {}", untrusted_text::block(&message.to_string()));
}

/// The error a script or a call ended with (`error: ...`); may span lines.
pub fn error(message: impl std::fmt::Display) {
    eprintln!("error: {}", untrusted_text::block(&message.to_string()));
}

/// Milliseconds with one decimal, for timings in log lines.
pub fn ms(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// A question put to the person at the terminal (`kosmo: ... [y/N] `), left
/// open for the answer on the same line.
pub fn question(text: impl std::fmt::Display) {
    use std::io::Write as _;
    eprint!("kosmo: {} ", untrusted_text::block(&text.to_string()));
    let _ = std::io::stderr().flush();
}
