//! Diagnostics on stderr. Warnings always; `KOSMO_LOG=debug` adds what the
//! host did and how long it took (compiles and compile-cache hits, hot swaps,
//! MCP calls). Standard output stays the command's own (and in `mcp:serve`,
//! the protocol's).

use std::sync::OnceLock;

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
        eprintln!("kosmo: debug: {message}");
    }
}

pub fn info(message: impl std::fmt::Display) {
    eprintln!("kosmo: {message}");
}

pub fn warn(message: impl std::fmt::Display) {
    eprintln!("kosmo: warning: {message}");
}

/// Milliseconds with one decimal, for timings in log lines.
pub fn ms(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
