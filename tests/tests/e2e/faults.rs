//! Faults between the host and RingCentral, injected at the simulator: rate
//! limits, unavailability, dropped connections, slow and non-JSON answers.
//! Reads are retried within a budget; writes are sent exactly once.

use std::time::{Duration, Instant};

use kosmo_harness::*;
use serde_json::{Value, json};

const ME: &str = "/restapi/v1.0/account/~/extension/~";
const SMS: &str = "/restapi/v1.0/account/~/extension/~/sms";
const STORE: &str = "/restapi/v1.0/account/~/extension/~/message-store";
const GET_ME: &str = "return app.integrations.ringcentral.get_current_user({}).id";

fn send_sms(text: &str) -> String {
    format!(
        "return app.integrations.ringcentral.send_sms({{from = '+16505550101', to = '+14155550123', text = {text:?}}})"
    )
}

/// The messages in the simulator's store whose text is `text`.
fn stored_sms(sim: &Sim, text: &str) -> usize {
    let body = ureq::get(format!("{}{STORE}?perPage=1000", sim.url))
        .header("Authorization", format!("Bearer {SIM_TOKEN}"))
        .call()
        .expect("list the message store")
        .into_body()
        .read_to_string()
        .unwrap();
    let list: Value = serde_json::from_str(&body).unwrap();
    list["records"].as_array().unwrap().iter().filter(|m| m["subject"] == text).count()
}

fn failure(run: &Run) -> String {
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false, "{}", run.stdout);
    envelope["error"].as_str().unwrap().to_string()
}

#[test]
fn a_read_answered_429_waits_for_retry_after_then_succeeds() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "rate_limit", "retry_after": 1 }));
    let started = Instant::now();
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), GET_ME, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    let waited = envelope["integration_calls"][0]["durationMs"].as_f64().unwrap();
    assert!(waited >= 1000.0, "the call waited for Retry-After: {waited} ms");
    assert!(started.elapsed() < Duration::from_secs(40), "{:?}", started.elapsed());
    assert_eq!(sim.requests_to("GET", ME).len(), 2, "the 429, then the retry");
    assert!(run.stderr.contains("HTTP 429; retrying in 1000 ms"), "{}", run.stderr);
}

#[test]
fn enforced_rate_limits_are_waited_out() {
    let sim = Sim::with_args(&["--rate-limit", "light=2", "--rate-limit-window", "1"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let script = "local ids = {}
                  for i = 1, 3 do ids[i] = app.integrations.ringcentral.get_current_user({}).id end
                  return ids[1] == ids[3]";
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), script, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(envelope["result"][0], true);
    let third = envelope["integration_calls"][2]["durationMs"].as_f64().unwrap();
    assert!(third >= 900.0, "the third call waited for the window: {third} ms");
    assert_eq!(sim.requests_to("GET", ME).len(), 3, "paced: every request admitted, none throttled");
}

#[test]
fn a_429_beyond_the_budget_is_reported_not_waited_for() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "rate_limit", "retry_after": 60 }));
    let started = Instant::now();
    let error = failure(&lua_json(&mut kosmo_on(&sim, plugins.path()), GET_ME, &[]));
    // Waiting would take 60 s; a loaded machine may take seconds to start kosmo.
    assert!(started.elapsed() < Duration::from_secs(40), "it waited: {:?}", started.elapsed());
    assert!(error.contains("HTTP 429") && error.contains("CMN-301"), "{error}");
    assert!(error.contains("wait 60 s, beyond the 10 s retry budget"), "{error}");
    assert_eq!(sim.requests_to("GET", ME).len(), 1);
}

#[test]
fn a_503_is_retried_for_reads() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "unavailable", "times": 2 }));
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), GET_ME, &[]);
    assert_eq!(run.envelope()["success"], true, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(sim.requests_to("GET", ME).len(), 3, "two 503s, then the answer");
}

#[test]
fn send_sms_is_never_sent_twice_on_429() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "POST", "path": SMS, "kind": "rate_limit", "retry_after": 1 }));
    let error = failure(&lua_json(&mut kosmo_on(&sim, plugins.path()), &send_sms("rate limited"), &["--force"]));
    assert!(error.contains("HTTP 429"), "{error}");
    assert!(error.contains("POST requests are never retried automatically"), "{error}");
    assert_eq!(sim.requests_to("POST", SMS).len(), 1);
    assert_eq!(stored_sms(&sim, "rate limited"), 0);
}

#[test]
fn send_sms_over_a_reset_connection_reports_an_error_and_sends_at_most_once() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);

    // The server handled the request, then the connection dropped: the text went out once.
    sim.faults(json!({ "method": "POST", "path": SMS, "kind": "reset_after" }));
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), &send_sms("reset after"), &["--force"]);
    let error = failure(&run);
    assert!(error.contains("send_sms: request failed"), "{error}");
    assert!(error.contains("not retried automatically, so check whether it took effect"), "{error}");
    assert_eq!(sim.requests_to("POST", SMS).len(), 1, "exactly one POST reached the server");
    assert_eq!(stored_sms(&sim, "reset after"), 1, "the simulator holds one such SMS");

    // The connection dropped before the server handled it: nothing was sent, and nothing resent.
    sim.faults(json!({ "method": "POST", "path": SMS, "kind": "reset" }));
    let error = failure(&lua_json(&mut kosmo_on(&sim, plugins.path()), &send_sms("reset before"), &["--force"]));
    assert!(error.contains("request failed"), "{error}");
    assert_eq!(sim.requests_to("POST", SMS).len(), 2);
    assert_eq!(stored_sms(&sim, "reset before"), 0);
}

#[test]
fn a_read_over_a_reset_connection_is_retried() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "reset" }));
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), GET_ME, &[]);
    assert_eq!(run.envelope()["success"], true, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(sim.requests_to("GET", ME).len(), 2);
}

#[test]
fn patch_is_not_retried_on_503() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let path = "/restapi/v1.0/account/~/extension/~/message-store/1";
    sim.faults(json!({ "method": "PATCH", "path": path, "kind": "unavailable", "retry_after": 1 }));
    let script = "return app.integrations.ringcentral.update_message({message_id = '1', readStatus = 'Read'})";
    let error = failure(&lua_json(&mut kosmo_on(&sim, plugins.path()), script, &["--force"]));
    assert!(error.contains("HTTP 503") && error.contains("PATCH requests are never retried"), "{error}");
    assert_eq!(sim.requests_to("PATCH", path).len(), 1);
}

#[test]
fn a_non_json_error_body_is_reported_clearly() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "non_json", "status": 502 }));
    let error = failure(&lua_json(&mut kosmo_on(&sim, plugins.path()), GET_ME, &[]));
    assert!(error.contains("HTTP 502") && error.contains("Bad Gateway"), "{error}");
}

#[test]
fn a_slow_server_is_cut_off_by_the_call_timeout_and_the_host_goes_on() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    // The server would answer after a minute; the call must be stopped long before.
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "slow", "delay_ms": 60000 }));
    let script =
        format!("local ok, err = pcall(function() {GET_ME} end) return ok, err, ({})", GET_ME.replace("return ", ""));
    let started = Instant::now();
    let run = lua_json(kosmo_on(&sim, plugins.path()).env("KOSMO_PLUGIN_TIMEOUT_MS", "1500"), &script, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(envelope["result"][0], false);
    let error = envelope["result"][1].as_str().unwrap();
    assert!(error.contains("took longer than 1.5 s and was stopped"), "{error}");
    assert!(envelope["result"][2].is_number(), "the next call was served: {envelope}");
    assert!(started.elapsed() < Duration::from_secs(40), "{:?}", started.elapsed());
}
