//! The rate-limit budget of one server and account identity: per throttling
//! group, the limit and window the server announced and the requests sent in
//! the current window (a sliding window, as RingCentral counts); per route
//! (method and path shape), the group the server said it belongs to.
//!
//! Pure: every function takes the store's clock (`now_ms`), so the same
//! ledger serves a file shared by processes and a Redis key shared by
//! machines. Only the server's `X-Rate-Limit-*` headers set a budget: the
//! plugin chooses paths, never limits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the ledger will believe of a server's headers (anything outside is ignored).
const MAX_LIMIT: u32 = 100_000;
const MAX_WINDOW_MS: u64 = 3_600_000;
/// A ledger stays small whatever a server or a plugin does.
const MAX_GROUPS: usize = 16;
const MAX_ROUTES: usize = 512;
const MAX_GROUP_NAME: usize = 32;
/// A slot is held this much past its window before another request takes
/// it: the server counts a request on its clock from its arrival, this ledger
/// on the host's from the answer, in whole milliseconds; a request sent at the
/// very edge of the window was seen refused (429) under load without it.
const EDGE_MARGIN_MS: u64 = 50;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    #[serde(default)]
    groups: BTreeMap<String, GroupBudget>,
    /// `METHOD /path/shape` → group name, learnt from answers.
    #[serde(default)]
    routes: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct GroupBudget {
    limit: u32,
    window_ms: u64,
    /// Requests of the window: when each was answered (or sent, while in flight).
    #[serde(default)]
    sent: Vec<Slot>,
    /// After a 429: nothing of the group goes out before this.
    #[serde(default)]
    penalty_until_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Slot {
    /// Which request holds the slot; 0 for requests the server counted that this ledger did not send.
    ticket: u64,
    at_ms: u64,
    /// Its answer is in (`at_ms` is the answer's time, not the send's).
    #[serde(default)]
    answered: bool,
}

/// What a server's answer says about the budget.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answer {
    pub group: Option<String>,
    pub limit: Option<u32>,
    pub window_ms: Option<u64>,
    pub remaining: Option<u32>,
    /// A 429: the group is closed for this long (`Retry-After`, else its window).
    pub throttled_for_ms: Option<u64>,
}

/// The verdict on a request about to go out.
#[derive(Clone, Debug, PartialEq)]
pub enum Admission {
    /// Send it now; its slot is held under the ticket.
    Go,
    /// Ask again at `until_ms` (store clock): the group is full or penalised.
    Wait { until_ms: u64, group: String, limit: u32, window_ms: u64 },
}

impl Ledger {
    /// Admits the request `ticket` on `route`, holding a slot for it in its
    /// group, or says when to ask again. A route whose group is not known yet
    /// waits until every known group has room and holds a slot in each, so it
    /// cannot overrun whichever it turns out to be in; [`Ledger::settle`]
    /// gives back the others.
    pub fn admit(&mut self, route: &str, ticket: u64, now_ms: u64) -> Admission {
        let names: Vec<String> = match self.routes.get(route) {
            Some(group) if self.groups.contains_key(group) => vec![group.clone()],
            _ => self.groups.keys().cloned().collect(),
        };
        let mut wait: Option<Admission> = None;
        for name in &names {
            let budget = self.groups.get_mut(name).expect("names come from the map");
            budget.expire(now_ms);
            if let Some(until_ms) = budget.free_at(now_ms)
                && wait.as_ref().is_none_or(|w| matches!(w, Admission::Wait { until_ms: u, .. } if *u < until_ms))
            {
                wait = Some(Admission::Wait {
                    until_ms,
                    group: name.clone(),
                    limit: budget.limit,
                    window_ms: budget.window_ms,
                });
            }
        }
        if let Some(wait) = wait {
            return wait;
        }
        for name in &names {
            let slot = Slot { ticket, at_ms: now_ms, answered: false };
            self.groups.get_mut(name).expect("names come from the map").sent.push(slot);
        }
        Admission::Go
    }

    /// The answer to `ticket` came in at `now_ms`: its slot moves to the
    /// answer's time (the server counted it no later than that), the group
    /// and its budget are learnt from the headers, slots held in other groups
    /// are given back, and requests the server counted that this ledger did
    /// not send (another app on the same user) are added.
    pub fn settle(&mut self, route: &str, ticket: u64, answer: &Answer, now_ms: u64) {
        let group = answer.group.as_deref().filter(|g| valid_group_name(g)).map(str::to_ascii_lowercase);
        let group = group.or_else(|| self.routes.get(route).cloned());
        let Some(group) = group else {
            // Nothing says which group it was: give back what it held.
            self.release(ticket, None);
            return;
        };
        if !self.routes.contains_key(route) && self.routes.len() >= MAX_ROUTES {
            self.routes.clear();
        }
        self.routes.insert(route.to_string(), group.clone());
        self.release(ticket, Some(&group));
        let limit = answer.limit.filter(|l| (1..=MAX_LIMIT).contains(l));
        let window_ms = answer.window_ms.filter(|w| (1..=MAX_WINDOW_MS).contains(w));
        if !self.groups.contains_key(&group) {
            let (Some(limit), Some(window_ms)) = (limit, window_ms) else { return };
            if self.groups.len() >= MAX_GROUPS {
                return;
            }
            self.groups.insert(group.clone(), GroupBudget { limit, window_ms, sent: Vec::new(), penalty_until_ms: 0 });
        }
        let budget = self.groups.get_mut(&group).expect("inserted above");
        if let Some(limit) = limit {
            budget.limit = limit;
        }
        if let Some(window_ms) = window_ms {
            budget.window_ms = window_ms;
        }
        // Its own slot; else one added for a request the server counted and
        // this ledger had not recorded, which may well have been this one.
        let own = budget.sent.iter().position(|s| s.ticket == ticket);
        let sent_at_ms = match own.or_else(|| budget.sent.iter().position(|s| s.ticket == 0)) {
            Some(index) => {
                let slot = &mut budget.sent[index];
                let sent_at_ms = slot.at_ms;
                slot.ticket = ticket;
                slot.at_ms = slot.at_ms.max(now_ms);
                slot.answered = true;
                sent_at_ms
            }
            None => {
                budget.sent.push(Slot { ticket, at_ms: now_ms, answered: true });
                now_ms
            }
        };
        budget.expire(now_ms);
        if let Some(remaining) = answer.remaining {
            // The server counted its window at arrival, somewhere between the
            // send and now: compare with every slot that window may have held.
            let counted_by_server = budget.limit.saturating_sub(remaining) as usize;
            let mut counted_here = budget.live_at(sent_at_ms);
            while counted_here < counted_by_server {
                budget.sent.push(Slot { ticket: 0, at_ms: now_ms, answered: true });
                counted_here += 1;
            }
            // And the other way: requests answered before this one was sent
            // had arrived before it, so the server counted at most
            // `counted_by_server - 1` of them; the oldest beyond that have left
            // its window (a server that enforces nothing reports its whole budget).
            budget.trim_earlier(ticket, sent_at_ms, counted_by_server.saturating_sub(1));
        }
        if let Some(for_ms) = answer.throttled_for_ms {
            budget.penalty_until_ms = budget.penalty_until_ms.max(now_ms + for_ms.min(MAX_WINDOW_MS));
        }
    }

    /// The request `ticket` never went out: its slots are free again.
    pub fn cancel(&mut self, ticket: u64) {
        self.release(ticket, None);
    }

    /// Gives back `ticket`'s slots in every group but `keep`.
    fn release(&mut self, ticket: u64, keep: Option<&str>) {
        for (name, budget) in &mut self.groups {
            if keep != Some(name.as_str()) {
                budget.sent.retain(|s| s.ticket != ticket);
            }
        }
    }

    /// How long the ledger must be kept: the longest window or penalty still running.
    pub fn live_for_ms(&self, now_ms: u64) -> u64 {
        let longest = self.groups.values().map(|b| b.window_ms.max(b.penalty_until_ms.saturating_sub(now_ms)));
        longest.max().unwrap_or(0)
    }
}

impl GroupBudget {
    /// Forgets requests that left the window a window ago: until then an
    /// answer to a request sent while they were in it is compared with them.
    fn expire(&mut self, now_ms: u64) {
        let kept = 2 * self.window_ms;
        self.sent.retain(|s| s.at_ms + kept > now_ms);
    }

    /// Keeps at most `most` of the answered requests in the window of a
    /// request sent at `sent_at_ms` that were answered before it was sent.
    fn trim_earlier(&mut self, ticket: u64, sent_at_ms: u64, most: usize) {
        let window = self.window_ms;
        let mut earlier: Vec<(u64, usize)> = (self.sent.iter().enumerate())
            .filter(|(_, s)| s.ticket != ticket && s.answered && s.at_ms < sent_at_ms && s.at_ms + window > sent_at_ms)
            .map(|(index, s)| (s.at_ms, index))
            .collect();
        if earlier.len() <= most {
            return;
        }
        earlier.sort_unstable();
        let mut dropped: Vec<usize> = earlier[..earlier.len() - most].iter().map(|(_, index)| *index).collect();
        dropped.sort_unstable();
        for index in dropped.into_iter().rev() {
            self.sent.remove(index);
        }
    }

    /// Requests in the window that ends at `at_ms`.
    fn live_at(&self, at_ms: u64) -> usize {
        self.sent.iter().filter(|s| s.at_ms + self.window_ms > at_ms).count()
    }

    /// `None` if a request may go now, else when one may.
    fn free_at(&self, now_ms: u64) -> Option<u64> {
        if self.penalty_until_ms > now_ms {
            return Some(self.penalty_until_ms);
        }
        let held_ms = self.window_ms + EDGE_MARGIN_MS;
        let mut times: Vec<u64> = self.sent.iter().map(|s| s.at_ms).filter(|at| at + held_ms > now_ms).collect();
        if times.len() < self.limit as usize {
            return None;
        }
        // The slot that frees first is the oldest; with `limit` in the window,
        // the one that leaves it makes room.
        times.sort_unstable();
        let excess = times.len() - self.limit as usize;
        Some(times[excess] + held_ms)
    }
}

fn valid_group_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_GROUP_NAME
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `METHOD /path/shape`: the route a request's group is remembered by. A
/// segment that names one record (it holds a digit or is `~`) is `*`, so
/// `/restapi/v1.0/account/~/extension/~/call-log/Vg1x` and every other
/// record's path share one route; the API version segment is kept.
pub fn route(method: &str, path: &str) -> String {
    let mut shape = String::with_capacity(path.len() + method.len() + 1);
    shape.push_str(method);
    shape.push(' ');
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            shape.push('/');
        }
        let is_version = index == 2 && segment.starts_with('v');
        let names_a_record = segment == "~" || segment.bytes().any(|b| b.is_ascii_digit());
        shape.push_str(if names_a_record && !is_version { "*" } else { segment });
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = "GET /restapi/v1.0/account/*/extension/*";

    fn light(limit: u32, window_ms: u64, remaining: u32) -> Answer {
        Answer {
            group: Some("light".into()),
            limit: Some(limit),
            window_ms: Some(window_ms),
            remaining: Some(remaining),
            throttled_for_ms: None,
        }
    }

    /// A ledger that learnt `light`: `limit` per `window_ms`, from one request answered at 0.
    fn learnt(limit: u32, window_ms: u64) -> Ledger {
        let mut ledger = Ledger::default();
        assert_eq!(ledger.admit(ROUTE, 1, 0), Admission::Go, "nothing known: nothing to wait for");
        ledger.settle(ROUTE, 1, &light(limit, window_ms, limit - 1), 0);
        ledger
    }

    #[test]
    fn routes_share_a_shape_across_records() {
        assert_eq!(route("GET", "/restapi/v1.0/account/~/extension/~"), ROUTE);
        assert_eq!(
            route("GET", "/restapi/v1.0/account/~/extension/~/call-log/VgLcd1KWffJVzUA"),
            "GET /restapi/v1.0/account/*/extension/*/call-log/*"
        );
        assert_eq!(
            route("POST", "/restapi/v1.0/account/~/extension/~/sms"),
            "POST /restapi/v1.0/account/*/extension/*/sms"
        );
        assert_eq!(route("GET", "/restapi/v2/accounts/~/phone-numbers"), "GET /restapi/v2/accounts/*/phone-numbers");
    }

    #[test]
    fn a_full_window_waits_until_its_oldest_request_leaves_it() {
        let mut ledger = learnt(3, 4_000);
        assert_eq!(ledger.admit(ROUTE, 2, 10), Admission::Go);
        ledger.settle(ROUTE, 2, &light(3, 4_000, 1), 20);
        assert_eq!(ledger.admit(ROUTE, 3, 30), Admission::Go);
        ledger.settle(ROUTE, 3, &light(3, 4_000, 0), 40);
        // The window and the edge margin.
        let wait = Admission::Wait { until_ms: 4_050, group: "light".into(), limit: 3, window_ms: 4_000 };
        assert_eq!(ledger.admit(ROUTE, 4, 50), wait);
        assert_eq!(ledger.admit(ROUTE, 4, 4_000), wait);
        assert_eq!(ledger.admit(ROUTE, 4, 4_049), wait);
        // A sliding window: one slot frees at a time.
        assert_eq!(ledger.admit(ROUTE, 4, 4_050), Admission::Go);
        assert!(matches!(ledger.admit(ROUTE, 5, 4_051), Admission::Wait { until_ms: 4_070, .. }));
    }

    #[test]
    fn slots_move_to_the_answer_time() {
        // Sent at 0 but answered at 900: the server may have counted it as late as 900.
        let mut ledger = learnt(2, 1_000);
        assert_eq!(ledger.admit(ROUTE, 2, 100), Admission::Go);
        ledger.settle(ROUTE, 2, &light(2, 1_000, 0), 900);
        assert!(matches!(ledger.admit(ROUTE, 3, 1_050), Admission::Go));
        assert!(matches!(ledger.admit(ROUTE, 4, 1_050), Admission::Wait { until_ms: 1_950, .. }));
    }

    #[test]
    fn in_flight_requests_hold_their_slots() {
        let mut ledger = learnt(2, 1_000);
        assert_eq!(ledger.admit(ROUTE, 2, 10), Admission::Go);
        assert!(matches!(ledger.admit(ROUTE, 3, 20), Admission::Wait { .. }), "ticket 2 is in flight");
        ledger.cancel(2);
        assert_eq!(ledger.admit(ROUTE, 3, 20), Admission::Go, "a request that never went out frees its slot");
    }

    #[test]
    fn the_server_count_wins_when_it_is_higher() {
        // Another app of the same user spent 3 of the 5.
        let mut ledger = Ledger::default();
        assert_eq!(ledger.admit(ROUTE, 1, 0), Admission::Go);
        ledger.settle(ROUTE, 1, &light(5, 60_000, 1), 0);
        assert_eq!(ledger.admit(ROUTE, 2, 1), Admission::Go);
        assert!(matches!(ledger.admit(ROUTE, 3, 2), Admission::Wait { .. }));
    }

    #[test]
    fn two_first_requests_answered_out_of_order_count_twice_not_three_times() {
        // Two processes start with nothing known; both send, and B's answer,
        // which counts both, is settled first.
        let mut ledger = Ledger::default();
        assert_eq!(ledger.admit(ROUTE, 1, 0), Admission::Go);
        assert_eq!(ledger.admit(ROUTE, 2, 0), Admission::Go);
        ledger.settle(ROUTE, 2, &light(10, 4_000, 8), 5);
        ledger.settle(ROUTE, 1, &light(10, 4_000, 9), 6);
        assert_eq!(ledger.groups["light"].sent.len(), 2, "{ledger:?}");
    }

    #[test]
    fn a_slot_that_left_the_window_during_a_request_is_no_reason_to_add_one() {
        // Slot 1 (answered at 0) leaves the window at 1_000, while request 3,
        // sent at 990, is in flight: the server, counting at 995, still saw it.
        let mut ledger = learnt(3, 1_000);
        assert_eq!(ledger.admit(ROUTE, 2, 500), Admission::Go);
        ledger.settle(ROUTE, 2, &light(3, 1_000, 1), 510);
        assert_eq!(ledger.admit(ROUTE, 3, 990), Admission::Go);
        ledger.settle(ROUTE, 3, &light(3, 1_000, 0), 1_010);
        assert_eq!(ledger.groups["light"].live_at(1_010), 2, "2 and 3, no phantom: {ledger:?}");
    }

    #[test]
    fn a_server_that_reports_its_whole_budget_is_believed() {
        // The simulator without enforcement: Remaining is always the limit.
        let mut ledger = learnt(2, 60_000);
        for ticket in 2..100 {
            assert_eq!(ledger.admit(ROUTE, ticket, ticket), Admission::Go, "request {ticket}");
            ledger.settle(ROUTE, ticket, &light(2, 60_000, 2), ticket);
        }
    }

    #[test]
    fn a_429_closes_the_group_for_its_penalty() {
        let mut ledger = learnt(10, 4_000);
        assert_eq!(ledger.admit(ROUTE, 2, 100), Admission::Go);
        ledger.settle(ROUTE, 2, &Answer { throttled_for_ms: Some(4_000), ..light(10, 4_000, 0) }, 100);
        assert!(matches!(ledger.admit(ROUTE, 3, 200), Admission::Wait { until_ms: 4_100, .. }));
    }

    #[test]
    fn an_unseen_route_waits_for_every_known_group_and_keeps_only_its_own_slot() {
        let mut ledger = learnt(1, 1_000);
        let heavy_route = "GET /restapi/v1.0/account/*/extension/*/call-log";
        // light is full: the unseen route might be light, so it waits.
        assert!(matches!(ledger.admit(heavy_route, 2, 10), Admission::Wait { until_ms: 1_050, .. }));
        assert_eq!(ledger.admit(heavy_route, 2, 1_050), Admission::Go);
        let heavy = Answer { group: Some("Heavy".into()), ..light(10, 60_000, 9) };
        ledger.settle(heavy_route, 2, &heavy, 1_060);
        // It was heavy: light's slot is given back, and the route is known now.
        assert_eq!(ledger.admit(ROUTE, 3, 1_070), Admission::Go);
        assert_eq!(ledger.routes.get(heavy_route).map(String::as_str), Some("heavy"));
        assert_eq!(ledger.admit(heavy_route, 4, 1_080), Admission::Go, "heavy has 8 left");
    }

    #[test]
    fn the_plugin_cannot_raise_a_budget_and_headers_are_bounded() {
        let mut ledger = learnt(2, 1_000);
        // Absurd headers are ignored; the budget stays what the server said before.
        let absurd = Answer { limit: Some(u32::MAX), window_ms: Some(0), ..light(2, 1_000, 0) };
        assert_eq!(ledger.admit(ROUTE, 2, 10), Admission::Go);
        ledger.settle(ROUTE, 2, &absurd, 10);
        assert!(matches!(ledger.admit(ROUTE, 3, 20), Admission::Wait { limit: 2, window_ms: 1_000, .. }));
        // A group name with control characters is not learnt.
        let mut fresh = Ledger::default();
        fresh.settle(ROUTE, 1, &Answer { group: Some("li\u{1b}ght".into()), ..light(2, 1_000, 1) }, 0);
        assert!(fresh.groups.is_empty() && fresh.routes.is_empty());
    }

    #[test]
    fn an_answer_without_headers_gives_the_slot_back() {
        let mut ledger = Ledger::default();
        assert_eq!(ledger.admit(ROUTE, 1, 0), Admission::Go);
        ledger.settle(ROUTE, 1, &Answer::default(), 5);
        assert_eq!(ledger, Ledger::default());
    }

    #[test]
    fn ledgers_survive_a_round_trip_through_json() {
        let ledger = learnt(10, 4_000);
        let text = serde_json::to_string(&ledger).unwrap();
        assert_eq!(serde_json::from_str::<Ledger>(&text).unwrap(), ledger);
        assert_eq!(ledger.live_for_ms(0), 4_000);
    }
}
