//! Throttling groups and the counts of their requests; `throttle.rs` is the middleware
//! that applies them and sends the `X-Rate-Limit-*` headers RingCentral sends.
//!
//! By default nothing is enforced: every response reports the group's full budget,
//! so clients that pace themselves on `Remaining` never wait on the simulator.
//! With `--enforce-rate-limits` (or `--rate-limit GROUP=N`) each group admits its
//! limit per window; past it, requests get `429 CMN-301` with `Retry-After`, and
//! every request during the penalty interval restarts it, as RingCentral documents.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A throttling group; `Group::on` (in `throttle.rs`) puts a route's handlers in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Light,
    Medium,
    Heavy,
    Auth,
}

impl Group {
    /// Default requests per user per minute (docs/basics/rate-limits.md).
    fn default_limit(self) -> u32 {
        match self {
            Group::Light => 50,
            Group::Medium => 40,
            Group::Heavy => 10,
            Group::Auth => 5,
        }
    }

    /// Real responses spell the group in lower case.
    pub fn name(self) -> &'static str {
        match self {
            Group::Light => "light",
            Group::Medium => "medium",
            Group::Heavy => "heavy",
            Group::Auth => "auth",
        }
    }

    pub fn from_name(name: &str) -> Option<Group> {
        [Group::Light, Group::Medium, Group::Heavy, Group::Auth]
            .into_iter()
            .find(|g| g.name().eq_ignore_ascii_case(name))
    }
}

/// Counts each group's requests over a window.
pub struct Limiter {
    enforce: bool,
    pub window: Duration,
    overrides: HashMap<Group, u32>,
    groups: Mutex<HashMap<Group, Usage>>,
}

#[derive(Default)]
struct Usage {
    admitted: VecDeque<Instant>,
    penalty_until: Option<Instant>,
}

/// The verdict on one request.
pub enum Verdict {
    Admitted { remaining: u32 },
    Throttled { retry_after: Duration },
}

impl Limiter {
    pub fn new(enforce: bool, window: Duration, overrides: &[(Group, u32)]) -> Self {
        Self { enforce, window, overrides: overrides.iter().copied().collect(), groups: Mutex::default() }
    }

    pub fn limit(&self, group: Group) -> u32 {
        self.overrides.get(&group).copied().unwrap_or_else(|| group.default_limit())
    }

    pub fn admit(&self, group: Group, now: Instant) -> Verdict {
        let limit = self.limit(group);
        if !self.enforce {
            return Verdict::Admitted { remaining: limit };
        }
        let mut groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        let usage = groups.entry(group).or_default();
        if usage.penalty_until.is_some_and(|until| until > now) {
            usage.penalty_until = Some(now + self.window);
            return Verdict::Throttled { retry_after: self.window };
        }
        while usage.admitted.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            usage.admitted.pop_front();
        }
        if usage.admitted.len() as u32 >= limit {
            usage.penalty_until = Some(now + self.window);
            return Verdict::Throttled { retry_after: self.window };
        }
        usage.admitted.push_back(now);
        Verdict::Admitted { remaining: limit - usage.admitted.len() as u32 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_enforced_reports_the_full_budget() {
        let limiter = Limiter::new(false, Duration::from_secs(60), &[]);
        for _ in 0..100 {
            assert!(matches!(limiter.admit(Group::Heavy, Instant::now()), Verdict::Admitted { remaining: 10 }));
        }
    }

    #[test]
    fn enforced_limits_throttle_and_penalties_restart() {
        let window = Duration::from_secs(10);
        let limiter = Limiter::new(true, window, &[(Group::Light, 2)]);
        let t0 = Instant::now();
        assert!(matches!(limiter.admit(Group::Light, t0), Verdict::Admitted { remaining: 1 }));
        assert!(matches!(limiter.admit(Group::Light, t0), Verdict::Admitted { remaining: 0 }));
        assert!(matches!(limiter.admit(Group::Light, t0), Verdict::Throttled { .. }));
        // Other groups keep their own budget.
        assert!(matches!(limiter.admit(Group::Heavy, t0), Verdict::Admitted { remaining: 9 }));
        // A request during the penalty restarts it...
        let t5 = t0 + Duration::from_secs(5);
        assert!(matches!(limiter.admit(Group::Light, t5), Verdict::Throttled { .. }));
        assert!(matches!(limiter.admit(Group::Light, t0 + Duration::from_secs(12)), Verdict::Throttled { .. }));
        // ...and waiting the whole interval clears it.
        let later = t0 + Duration::from_secs(30);
        assert!(matches!(limiter.admit(Group::Light, later), Verdict::Admitted { remaining: 1 }));
    }
}
