//! `wait_for_reply`: incremental message syncs until an inbound message comes
//! in (from one number, if given) or the time is up. The clock and the syncs
//! are the caller's (the plugin's WASI clock and HTTP), so the loop is tested
//! natively.

use serde_json::{Value, json};

use crate::request::{ApiRequest, build, phone_number};
use crate::tools::{Tool, find};

/// Between syncs: the sync endpoint is in RingCentral's Light group (50 a
/// minute), so 30 a minute leaves room for the script's other calls.
pub const POLL_MS: u64 = 2_000;
pub const DEFAULT_TIMEOUT_S: u64 = 20;

pub trait Clock {
    fn now_ms(&self) -> u64;
    fn sleep_ms(&self, ms: u64);
}

/// A validated wait.
pub struct Wait {
    from: Option<String>,
    timeout_ms: u64,
    sync_token: Option<String>,
    message_type: Option<Value>,
}

impl Wait {
    pub fn new(tool: &Tool, args: &Value) -> Result<Wait, String> {
        build(tool, args)?;
        let text = |name: &str| args.get(name).and_then(Value::as_str).map(str::to_string);
        let timeout_s = args.get("timeout").and_then(Value::as_f64).map_or(DEFAULT_TIMEOUT_S, |t| t as u64);
        Ok(Wait {
            from: text("from").and_then(|f| phone_number(&f)),
            timeout_ms: timeout_s * 1000,
            sync_token: text("syncToken"),
            message_type: args.get("messageType").filter(|v| !v.is_null()).cloned(),
        })
    }

    /// Syncs at 0 s (with a token), then every [`POLL_MS`] up to the timeout; a
    /// timeout shorter than that still gets one sync after the starting one.
    pub fn run<E>(
        &self,
        clock: &impl Clock,
        mut sync: impl FnMut(&ApiRequest) -> Result<Value, E>,
    ) -> Result<Value, E> {
        let start = clock.now_ms();
        let deadline = start + self.timeout_ms;
        let (mut token, synced_at_start) = match &self.sync_token {
            Some(token) => (token.clone(), false),
            None => (token_of(&sync(&self.request(None))?).unwrap_or_default(), true),
        };
        let mut polls: u64 = 0;
        loop {
            let mut at = start + (polls + u64::from(synced_at_start)) * POLL_MS;
            if at > deadline {
                if polls > 0 {
                    return Ok(json!({ "records": [], "syncToken": token, "timedOut": true }));
                }
                at = deadline;
            }
            clock.sleep_ms(at.saturating_sub(clock.now_ms()));
            polls += 1;
            let answer = sync(&self.request(Some(&token)))?;
            token = token_of(&answer).unwrap_or(token);
            let replies: Vec<&Value> =
                answer["records"].as_array().into_iter().flatten().filter(|r| self.is_reply(r)).collect();
            if !replies.is_empty() {
                return Ok(json!({ "records": replies, "syncToken": token, "timedOut": false }));
            }
        }
    }

    fn is_reply(&self, record: &Value) -> bool {
        let from = record["from"]["phoneNumber"].as_str().and_then(phone_number);
        record["direction"] == "Inbound" && self.from.as_ref().is_none_or(|wanted| from.as_ref() == Some(wanted))
    }

    fn request(&self, token: Option<&str>) -> ApiRequest {
        let mut args = json!({ "syncToken": token, "messageType": self.message_type });
        if token.is_none() {
            args["recordCount"] = json!(1);
        }
        build(find("sync_messages").expect("sync_messages is in the table"), &args)
            .expect("wait_for_reply's arguments were checked as sync_messages takes them")
    }
}

fn token_of(answer: &Value) -> Option<String> {
    answer["syncInfo"]["syncToken"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};

    use super::*;

    /// A clock that only moves when slept on.
    #[derive(Default)]
    struct FakeClock {
        now: Cell<u64>,
    }

    impl Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.now.get()
        }
        fn sleep_ms(&self, ms: u64) {
            self.now.set(self.now.get() + ms);
        }
    }

    fn wait(args: Value) -> Wait {
        Wait::new(find("wait_for_reply").unwrap(), &args).unwrap()
    }

    fn sms(direction: &str, from: &str, id: u64) -> Value {
        json!({"id": id, "direction": direction, "from": {"phoneNumber": from}})
    }

    #[test]
    fn a_reply_from_the_number_ends_the_wait_with_the_next_token() {
        let clock = FakeClock::default();
        let sent = RefCell::new(Vec::new());
        let answer = wait(json!({"from": "+1 (650) 555-9876", "timeout": 20}))
            .run(&clock, |request| {
                sent.borrow_mut().push((clock.now_ms(), request.path_and_query.clone()));
                let n = sent.borrow().len();
                Ok::<_, ()>(match n {
                    1 => json!({"records": [sms("Inbound", "+16505559876", 1)], "syncInfo": {"syncToken": "t1"}}),
                    2 => json!({"records": [sms("Outbound", "+16505559876", 2)], "syncInfo": {"syncToken": "t2"}}),
                    3 => json!({"records": [sms("Inbound", "+16505550000", 3)], "syncInfo": {"syncToken": "t3"}}),
                    _ => json!({"records": [sms("Inbound", "+16505559876", 4)], "syncInfo": {"syncToken": "t4"}}),
                })
            })
            .unwrap();
        // The full sync's records are history, not replies; then one sync every 2 s.
        assert_eq!(
            answer,
            json!({"records": [sms("Inbound", "+16505559876", 4)], "syncToken": "t4", "timedOut": false})
        );
        let sent = sent.into_inner();
        let me = "/restapi/v1.0/account/~/extension/~/message-sync";
        assert_eq!(
            sent,
            vec![
                (0, format!("{me}?syncType=FSync&recordCount=1")),
                (2000, format!("{me}?syncType=ISync&syncToken=t1")),
                (4000, format!("{me}?syncType=ISync&syncToken=t2")),
                (6000, format!("{me}?syncType=ISync&syncToken=t3")),
            ]
        );
    }

    #[test]
    fn the_wait_ends_at_its_timeout_and_a_given_token_is_synced_at_once() {
        let clock = FakeClock::default();
        let times = RefCell::new(Vec::new());
        let empty = |token: &str| json!({"records": [], "syncInfo": {"syncToken": token}});
        let answer = wait(json!({"syncToken": "t0", "timeout": 5}))
            .run(&clock, |_| {
                times.borrow_mut().push(clock.now_ms());
                Ok::<_, ()>(empty("t9"))
            })
            .unwrap();
        assert_eq!(answer, json!({"records": [], "syncToken": "t9", "timedOut": true}));
        assert_eq!(times.take(), vec![0, 2000, 4000]);
        // Shorter than one pause: with a token, one sync; without, the full sync and one at the timeout.
        wait(json!({"syncToken": "t0", "timeout": 1})).run(&clock, |_| Ok::<_, ()>(empty("t"))).unwrap();
        let start = clock.now_ms();
        let times = RefCell::new(Vec::new());
        wait(json!({"timeout": 1}))
            .run(&clock, |_| {
                times.borrow_mut().push(clock.now_ms() - start);
                Ok::<_, ()>(empty("t"))
            })
            .unwrap();
        assert_eq!(times.take(), vec![0, 1000]);
    }

    #[test]
    fn a_failed_sync_ends_the_wait_with_its_error() {
        let clock = FakeClock::default();
        assert_eq!(wait(json!({})).run(&clock, |_| Err::<Value, _>("429")), Err("429"));
    }
}
