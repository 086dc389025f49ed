//! Pacing to the simulator's enforced rate limits (10 Light requests per 4 s
//! window): kosmo waits before sending instead of running into 429s, one
//! process or several sharing the budget through the token cache's folder.
//! Every request must be admitted the first time (the simulator logs exactly
//! as many requests as calls, so no 429 was answered and retried), within
//! 1.25× the least time the limit allows; waits are dominated by the 4 s
//! windows, so the bound leaves seconds of slack for a loaded machine.

use std::time::{Duration, Instant};

use kosmo_harness::mcp::{McpClient, result_text};
use kosmo_harness::*;
use serde_json::{Value, json};

const ME: &str = "/restapi/v1.0/account/~/extension/~";
const LIMIT: usize = 10;
const WINDOW_S: u64 = 4;

fn limited_sim() -> Sim {
    Sim::with_args(&["--rate-limit", &format!("light={LIMIT}"), "--rate-limit-window", &WINDOW_S.to_string()])
}

/// The least time `calls` requests take under the limit: the first window's
/// worth go at once, each further one waits for a slot to leave the window.
fn least_time(calls: usize) -> Duration {
    Duration::from_secs(((calls - 1) / LIMIT) as u64 * WINDOW_S)
}

fn calls_script(calls: usize) -> String {
    format!(
        "local n = 0
         for i = 1, {calls} do
           if app.integrations.ringcentral.get_current_user({{}}).id then n = n + 1 end
         end
         return n"
    )
}

/// A run that made `calls` successful calls; the sum of its calls' `waitedMs`.
fn assert_all_calls_ok(run: &Run, calls: usize) -> f64 {
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(envelope["result"][0], calls);
    let records = envelope["integration_calls"].as_array().unwrap();
    assert_eq!(records.len(), calls);
    records.iter().map(|r| r["waitedMs"].as_f64().expect("every call records waitedMs")).sum()
}

#[test]
fn a_script_of_35_calls_is_paced_to_the_limit_without_a_429() {
    let sim = limited_sim();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), &calls_script(35), &["--cpu-limit", "60"]);
    let waited = assert_all_calls_ok(&run, 35);
    assert_eq!(
        sim.requests_to("GET", ME).len(),
        35,
        "each call admitted the first time: no 429, no retry; stderr:\n{}",
        run.stderr
    );

    let least = least_time(35).as_secs_f64() * 1000.0;
    let took = run.envelope()["execution_time_ms"].as_f64().unwrap();
    assert!(took >= least * 0.95, "{took} ms: faster than the limit allows ({least} ms)?");
    assert!(took <= least * 1.25, "{took} ms, more than 1.25 × the least time the limit allows ({least} ms)");
    assert!(waited >= least * 0.8, "the waits ({waited} ms) make up the time");
    // Text-mode progress: one line per wait, on stderr.
    assert!(run.stderr.contains("waiting ") && run.stderr.contains("light rate limit"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("({LIMIT} requests per {WINDOW_S} s)")), "{}", run.stderr);
}

#[test]
fn two_processes_share_one_budget() {
    let sim = limited_sim();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    // Compile the plugin into the cache first, so both runs start at once.
    let warm = run(kosmo_on(&sim, plugins.path()).args(["integrations:list"]), None);
    assert_eq!(warm.code, 0, "{}", warm.stderr);

    let started = Instant::now();
    let runs: Vec<Running> = (0..2)
        .map(|_| {
            let mut command = kosmo_on(&sim, plugins.path());
            command.args(["integrations:lua", "--eval", &calls_script(20), "--json", "--cpu-limit", "60"]);
            spawn(&mut command, None)
        })
        .collect();
    let runs: Vec<Run> = runs.into_iter().map(Running::finish).collect();
    let took = started.elapsed();
    for run in &runs {
        assert_all_calls_ok(run, 20);
    }
    assert_eq!(
        sim.requests_to("GET", ME).len(),
        40,
        "each call admitted the first time: no 429, no retry; stderr:\n{}\n{}",
        runs[0].stderr,
        runs[1].stderr
    );
    let least = least_time(40);
    assert!(took >= least.mul_f64(0.95), "{took:?}: faster than the limit allows ({least:?})?");
    // The bound on the pacing itself is on the scripts' own time: starting two
    // processes on a loaded machine can take seconds, which is not a wait.
    let scripts = runs.iter().map(|r| r.envelope()["execution_time_ms"].as_f64().unwrap()).fold(0.0, f64::max);
    let scripts = Duration::from_secs_f64(scripts / 1000.0);
    assert!(
        scripts <= least.mul_f64(1.25),
        "{scripts:?} in the longer script, more than 1.25 × the least time the limit allows ({least:?})"
    );
    // The budget lives beside the token cache, private to the user.
    let ledgers: Vec<_> = std::fs::read_dir(plugins.path().join("cache/kosmo/pacing")).unwrap().collect();
    assert_eq!(ledgers.len(), 1, "one ledger for the one server and account");
    use std::os::unix::fs::PermissionsExt as _;
    let ledger = ledgers[0].as_ref().unwrap().path();
    assert_eq!(std::fs::metadata(&ledger).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&ledger).unwrap();
    assert!(!text.contains(SIM_TOKEN), "the ledger names the account by a digest only: {text}");
}

#[test]
fn a_wait_beyond_the_script_time_limit_is_refused_with_what_the_limit_requires() {
    let sim = Sim::with_args(&["--rate-limit", "light=2", "--rate-limit-window", "60"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let started = Instant::now();
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), &calls_script(3), &["--cpu-limit", "5"]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false, "{}", run.stdout);
    let error = envelope["error"].as_str().unwrap();
    assert!(error.contains("light rate limit") && error.contains("(2 requests per 60 s)"), "{error}");
    assert!(error.contains("requires waiting") && error.contains("the script's time limit of 5 s"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused at once, not after waiting");
    assert_eq!(sim.requests_to("GET", ME).len(), 2, "the third request was not sent");
}

#[test]
fn mcp_clients_that_sent_a_progress_token_are_told_of_waits() {
    let sim = Sim::with_args(&["--rate-limit", "light=1", "--rate-limit-window", "2"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let (client, _) = McpClient::start(kosmo_on(&sim, plugins.path()), &[]);
    let call = |token: Value| {
        let params =
            json!({ "name": "ringcentral_get_current_user", "arguments": {}, "_meta": { "progressToken": token } });
        let answer = client.request("tools/call", params);
        assert_eq!(answer["result"]["isError"], false, "{answer}");
        result_text(&answer["result"])
    };
    call(json!("first"));
    call(json!("second"));
    let progress: Vec<Value> =
        client.notifications().into_iter().filter(|n| n["method"] == "notifications/progress").collect();
    assert!(!progress.is_empty(), "no progress notification; log:\n{}", client.stderr());
    let params = &progress[0]["params"];
    assert_eq!(params["progressToken"], "second", "only the call that waited: {progress:?}");
    assert!(params["message"].as_str().unwrap().contains("light rate limit"), "{params}");
    assert_eq!(sim.requests_to("GET", ME).len(), 2, "both admitted the first time");
}
