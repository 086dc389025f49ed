//! Where the state that kosmo processes of one user share lives: the token
//! cache with its refresh lock, and the rate-limit ledgers. Files under the
//! user cache dir (directory 0700, files 0600, OS advisory locks) by default;
//! with `KOSMO_STATE_URL=redis://host:port/db`, one Redis for every machine
//! (`redis.rs`), so a fleet with one RingCentral app and user shares one
//! budget and one token.

mod files;
mod redis;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub use self::redis::{RedisLock, RedisState, STATE_URL_ENV};

#[derive(Clone)]
pub enum SharedState {
    /// `<root>/tokens/`, `<root>/pacing/` (the root is `<user cache dir>/kosmo`).
    Files(PathBuf),
    Redis(Arc<RedisState>),
    /// No cache directory and no Redis: this process only.
    Memory,
}

impl SharedState {
    /// The process's shared state, from `KOSMO_STATE_URL` or the user cache dir (read once).
    pub fn from_env() -> Result<SharedState, String> {
        static STATE: OnceLock<Result<SharedState, String>> = OnceLock::new();
        STATE
            .get_or_init(|| match std::env::var(STATE_URL_ENV) {
                Ok(url) if !url.trim().is_empty() => {
                    RedisState::open(url.trim()).map(|r| SharedState::Redis(Arc::new(r)))
                }
                _ => Ok(match dirs::cache_dir() {
                    Some(dir) => SharedState::Files(dir.join("kosmo")),
                    None => SharedState::Memory,
                }),
            })
            .clone()
    }

    /// Whether a look at the state stays on this machine (files, memory),
    /// rather than a network round trip (Redis).
    pub fn is_local(&self) -> bool {
        !matches!(self, SharedState::Redis(_))
    }

    /// Reads, changes and writes the document `name` of `area` atomically
    /// (a locked file, or a Redis transaction), giving `edit` the text (empty
    /// if none) and the store's clock in Unix milliseconds. `edit` returns the
    /// new text and how long it must be kept.
    pub fn update(
        &self,
        area: &str,
        name: &str,
        edit: &mut dyn FnMut(&str, u64) -> (String, std::time::Duration),
    ) -> Result<(), String> {
        match self {
            SharedState::Files(root) => files::update(&root.join(area), name, edit),
            SharedState::Redis(redis) => redis.update(&format!("{area}:{name}"), edit),
            SharedState::Memory => files::update_in_memory(&format!("{area}/{name}"), edit),
        }
    }
}
