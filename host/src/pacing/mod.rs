//! Pacing to the server's rate limits: before a request goes out, wait just
//! long enough that the server admits it, so calls are paced, not refused.
//!
//! One [`Pacer`] per server origin and account identity (RingCentral counts
//! per user and app): its ledger (`ledger.rs`, the pure sliding-window
//! budget) lives in the shared state, so every kosmo process of the user, and
//! with `KOSMO_STATE_URL` every machine, spends one budget. A call's waits
//! are bounded by its deadline (the script's time limit, the plugin call's
//! timeout), reported as they start (a progress line, MCP progress) and
//! added up for the envelope's `waitedMs`.

mod ledger;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use self::ledger::Ledger;
pub use self::ledger::{Admission, Answer, route};
use crate::shared_state::SharedState;

/// Where ledgers live in the shared state: `<cache root>/pacing/`, `kosmo:pacing:*`.
const AREA: &str = "pacing";
/// A ledger outlives its longest window by this much.
const KEEP_EXTRA: Duration = Duration::from_secs(60);

/// The budget of one server and account identity.
pub struct Pacer {
    state: SharedState,
    /// `<host>_<port>@<digest of the identity>`: the ledger's name.
    scope: String,
    /// The server, for messages.
    server: String,
}

/// One wait, as it starts.
#[derive(Clone, Debug)]
pub struct WaitNotice {
    pub server: String,
    pub group: String,
    pub limit: u32,
    pub window: Duration,
    pub wait: Duration,
}

impl WaitNotice {
    pub fn describe(&self) -> String {
        format!(
            "waiting {:.1} s for the {} rate limit of {} ({} requests per {} s)",
            self.wait.as_secs_f64(),
            self.group,
            self.server,
            self.limit,
            self.window.as_secs_f64()
        )
    }
}

/// Told of each wait as it starts (an MCP client's progress notifications).
pub type ProgressSink = Arc<dyn Fn(&WaitNotice) + Send + Sync>;

/// A [`ProgressSink`] as a per-call choice (`CallOptions` is `Debug`).
#[derive(Clone)]
pub struct WaitSink(pub ProgressSink);

impl std::fmt::Debug for WaitSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaitSink(..)")
    }
}

/// A point a call's waits must not pass, and what it is, for the error.
#[derive(Clone, Debug)]
pub struct Deadline {
    pub at: Instant,
    /// `the script's time limit of 30 s`
    pub what: String,
}

impl Deadline {
    pub fn earliest(a: Option<Deadline>, b: Option<Deadline>) -> Option<Deadline> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.at < a.at { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// The pacing of one tool call: its account's pacer, its deadline, and
/// where its waits are reported (which is where they are added up).
#[derive(Clone)]
pub struct CallPacing {
    pub pacer: Arc<Pacer>,
    pub deadline: Option<Deadline>,
    /// `None`: each wait is a progress line on stderr.
    pub progress: Option<ProgressSink>,
}

impl CallPacing {
    pub fn new(pacer: Arc<Pacer>, deadline: Option<Deadline>, progress: Option<ProgressSink>) -> CallPacing {
        CallPacing { pacer, deadline, progress }
    }

    /// Waits until a request on `route` may go out; the ticket holds its
    /// slot until [`CallPacing::settle`]. Fails, before waiting, if the wait
    /// would pass the deadline.
    pub async fn admit(&self, route: &str) -> Result<u64, String> {
        let ticket = new_ticket();
        loop {
            let owned_route = route.to_string();
            let verdict = self.edit_ledger(move |pacer| pacer.try_admit(&owned_route, ticket)).await?;
            let notice = match verdict {
                Ok(None) => return Ok(ticket),
                Ok(Some(notice)) => notice,
                Err(trouble) => {
                    // The server's 429 handling still applies; pacing resumes when the store answers.
                    crate::log::warn(format!("rate-limit pacing is off for this request: {trouble}"));
                    return Ok(ticket);
                }
            };
            if let Some(deadline) = &self.deadline {
                let left = deadline.at.saturating_duration_since(Instant::now());
                if notice.wait > left {
                    return Err(format!(
                        "the {} rate limit of {} ({} requests per {} s) requires waiting {:.1} s before this \
                         request, beyond {} ({:.1} s left); raise the limit or make fewer calls",
                        notice.group,
                        notice.server,
                        notice.limit,
                        notice.window.as_secs_f64(),
                        notice.wait.as_secs_f64(),
                        deadline.what,
                        left.as_secs_f64()
                    ));
                }
            }
            match &self.progress {
                Some(sink) => sink(&notice),
                None => crate::log::info(notice.describe()),
            }
            tokio::time::sleep(notice.wait).await;
        }
    }

    /// The answer to `ticket` is in (or `None`: the request got none).
    pub async fn settle(&self, route: &str, ticket: u64, answer: Option<Answer>) {
        let route = route.to_string();
        let settled = self.edit_ledger(move |pacer| pacer.settle(&route, ticket, answer.as_ref())).await;
        if let Ok(Err(trouble)) = settled {
            crate::log::warn(format!("could not record a request in the rate-limit ledger: {trouble}"));
        }
    }

    /// Runs a look at the ledger: in place when it is a local file or memory
    /// (a lock held for microseconds; a hop to a blocking thread and back
    /// would cost a warm call more than the edit), on a blocking thread when
    /// it is a Redis round trip.
    async fn edit_ledger<T: Send + 'static>(
        &self,
        edit: impl FnOnce(&Pacer) -> T + Send + 'static,
    ) -> Result<T, String> {
        if self.pacer.state.is_local() {
            return Ok(edit(&self.pacer));
        }
        let pacer = self.pacer.clone();
        tokio::task::spawn_blocking(move || edit(&pacer))
            .await
            .map_err(|e| format!("the rate-limit ledger stopped: {e}"))
    }
}

impl Pacer {
    /// The pacer of `server` (an origin) for the account `identity` (never
    /// stored: only a digest of it names the ledger).
    pub fn new(state: SharedState, server: &str, identity: &str) -> Pacer {
        let digest = Sha256::digest(identity.as_bytes());
        let digest: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let host: String = server
            .rsplit("//")
            .next()
            .unwrap_or(server)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
            .collect();
        Pacer { state, scope: format!("{host}@{digest}"), server: server.to_string() }
    }

    /// One look at the ledger: `None` if the request may go (its slot is
    /// held), else the wait. Blocking.
    pub fn try_admit(&self, route: &str, ticket: u64) -> Result<Option<WaitNotice>, String> {
        let mut verdict = None;
        self.edit(&mut |ledger, now_ms| {
            verdict = Some(match ledger.admit(route, ticket, now_ms) {
                Admission::Go => None,
                Admission::Wait { until_ms, group, limit, window_ms } => Some(WaitNotice {
                    server: self.server.clone(),
                    group,
                    limit,
                    window: Duration::from_millis(window_ms),
                    // A millisecond more: the ledger's times are whole milliseconds.
                    wait: Duration::from_millis(until_ms.saturating_sub(now_ms) + 1),
                }),
            });
        })?;
        Ok(verdict.flatten())
    }

    /// Blocking [`CallPacing::admit`] for the host's own requests (the token
    /// endpoint), waiting at most `max_wait` in all.
    pub fn admit_blocking(&self, route: &str, max_wait: Duration) -> Result<u64, String> {
        let ticket = new_ticket();
        let started = Instant::now();
        loop {
            match self.try_admit(route, ticket) {
                Ok(None) => return Ok(ticket),
                Ok(Some(notice)) if started.elapsed() + notice.wait <= max_wait => {
                    crate::log::info(notice.describe());
                    std::thread::sleep(notice.wait);
                }
                Ok(Some(notice)) => {
                    return Err(format!(
                        "{}, beyond the {} s kosmo waits for it",
                        notice.describe(),
                        max_wait.as_secs()
                    ));
                }
                Err(trouble) => {
                    crate::log::warn(format!("rate-limit pacing is off for this request: {trouble}"));
                    return Ok(ticket);
                }
            }
        }
    }

    /// Records the answer to `ticket` (`None`: there was none). Blocking.
    pub fn settle(&self, route: &str, ticket: u64, answer: Option<&Answer>) -> Result<(), String> {
        self.edit(&mut |ledger, now_ms| match answer {
            Some(answer) => ledger.settle(route, ticket, answer, now_ms),
            None => ledger.cancel(ticket),
        })
    }

    fn edit(&self, change: &mut dyn FnMut(&mut Ledger, u64)) -> Result<(), String> {
        self.state.update(AREA, &self.scope, &mut |text, now_ms| {
            // A damaged ledger is started afresh: the server's answers rebuild it.
            let mut ledger: Ledger = serde_json::from_str(text).unwrap_or_default();
            change(&mut ledger, now_ms);
            let keep = Duration::from_millis(ledger.live_for_ms(now_ms)) + KEEP_EXTRA;
            (serde_json::to_string(&ledger).unwrap_or_default(), keep)
        })
    }
}

/// What an answer's headers say about the budget (`X-Rate-Limit-Group`,
/// `-Limit`, `-Remaining`, `-Window` in seconds; on a 429, `Retry-After`).
pub fn answer_of(status: u16, headers: &http::HeaderMap) -> Answer {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let number = |name: &str| text(name).and_then(|v| v.parse::<u64>().ok());
    let window_ms = number("x-rate-limit-window").map(|s| s.saturating_mul(1000));
    let throttled_for_ms =
        (status == 429).then(|| number("retry-after").map(|s| s.saturating_mul(1000)).or(window_ms)).flatten();
    Answer {
        group: text("x-rate-limit-group").map(str::to_string),
        limit: number("x-rate-limit-limit").and_then(|n| u32::try_from(n).ok()),
        window_ms,
        remaining: number("x-rate-limit-remaining").and_then(|n| u32::try_from(n).ok()),
        throttled_for_ms,
    }
}

/// Unique across the processes and machines sharing a ledger, for all practical purposes.
fn new_ticket() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = Sha256::new();
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    hasher.update(nanos.to_le_bytes());
    let digest = hasher.finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes")).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_from_the_headers() {
        let mut headers = http::HeaderMap::new();
        for (name, value) in [
            ("x-rate-limit-group", "light"),
            ("x-rate-limit-limit", "10"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-window", "4"),
            ("retry-after", "4"),
        ] {
            headers.insert(name, value.parse().unwrap());
        }
        let answer = answer_of(429, &headers);
        assert_eq!(answer.group.as_deref(), Some("light"));
        assert_eq!((answer.limit, answer.remaining, answer.window_ms), (Some(10), Some(0), Some(4_000)));
        assert_eq!(answer.throttled_for_ms, Some(4_000));
        assert_eq!(answer_of(200, &headers).throttled_for_ms, None);
        assert_eq!(answer_of(200, &http::HeaderMap::new()), Answer::default());
    }

    #[test]
    fn processes_share_a_ledger_through_its_file() {
        let dir = std::env::temp_dir().join(format!("kosmo-pacing-test-{}", std::process::id()));
        let state = SharedState::Files(dir.clone());
        let one = Pacer::new(state.clone(), "https://platform.ringcentral.com", "client/user");
        let other = Pacer::new(state, "https://platform.ringcentral.com", "client/user");
        let route = route("GET", "/restapi/v1.0/account/~");
        let light = Answer {
            group: Some("light".into()),
            limit: Some(1),
            window_ms: Some(60_000),
            remaining: Some(0),
            throttled_for_ms: None,
        };
        assert!(one.try_admit(&route, 1).unwrap().is_none());
        one.settle(&route, 1, Some(&light)).unwrap();
        let notice = other.try_admit(&route, 2).unwrap().expect("the other pacer sees the spent budget");
        assert_eq!((notice.group.as_str(), notice.limit), ("light", 1));
        assert!(notice.wait > Duration::from_secs(59), "{notice:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let file = std::fs::read_dir(dir.join("pacing")).unwrap().next().unwrap().unwrap().path();
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
