//! The simulator's notion of "now" and RingCentral's timestamp format.

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

/// Wall time anchored at a start timestamp and advanced by a monotonic clock, so a
/// pinned `--start-time` gives the same timeline on every run.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Timestamp,
    started: Instant,
}

impl Clock {
    pub fn new(start: Timestamp) -> Self {
        // RingCentral timestamps carry milliseconds; finer digits would never round-trip.
        let start = start.round(jiff::Unit::Millisecond).unwrap_or(start);
        Self { start, started: Instant::now() }
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.started.elapsed()).unwrap_or(SignedDuration::ZERO);
        let now = self.start.checked_add(elapsed).unwrap_or(self.start);
        now.round(jiff::Unit::Millisecond).unwrap_or(now)
    }
}

/// `2019-05-22T17:07:28.000Z`: always UTC, always three fractional digits.
pub fn format(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses the ISO 8601 forms RingCentral accepts: a timestamp with `Z` or an offset,
/// a date-time without one (taken as UTC), or a bare date (midnight UTC).
pub fn parse(text: &str) -> Option<Timestamp> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp());
    }
    text.parse::<jiff::civil::Date>().ok().and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok()).map(|z| z.timestamp())
}

/// Serde adapter for record fields.
pub fn serialize<S: serde::Serializer>(ts: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        let ts: Timestamp = "2019-05-22T17:07:28Z".parse().unwrap();
        assert_eq!(format(ts), "2019-05-22T17:07:28.000Z");
    }

    #[test]
    fn parses_iso_forms() {
        let want: Timestamp = "2024-03-10T00:00:00Z".parse().unwrap();
        assert_eq!(parse("2024-03-10T00:00:00.000Z"), Some(want));
        assert_eq!(parse("2024-03-10T01:00:00+01:00"), Some(want));
        assert_eq!(parse("2024-03-10T00:00:00"), Some(want));
        assert_eq!(parse("2024-03-10"), Some(want));
        assert_eq!(parse("yesterday"), None);
    }
}
