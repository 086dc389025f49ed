//! Throughput under the simulator's enforced rate limits (10 Light requests
//! per 4 s window): N calls through kosmo, which paces itself, against the
//! least time the limits allow and against RingCentral's Python SDK doing
//! the same loop (it waits out each 429's Retry-After, as its docs advise);
//! then the same with two processes at once, sharing one budget.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kosmo_harness::{SIM_TOKEN, Sim, kosmo_on, plugin_dir, ringcentral_plugin, run, spawn};
use serde_json::Value;

use crate::report::Row;

const LIMIT: usize = 10;
const WINDOW_S: u64 = 4;
const ENDPOINT: &str = "/restapi/v1.0/account/~/extension/~";

fn limited_sim() -> Sim {
    Sim::with_args(&["--rate-limit", &format!("light={LIMIT}"), "--rate-limit-window", &WINDOW_S.to_string()])
}

/// The first window's worth go at once; each further request waits for a slot.
fn least_time(calls: usize) -> Duration {
    Duration::from_secs(((calls - 1) / LIMIT) as u64 * WINDOW_S)
}

/// The SDK loops give up after this (two of them can restart each other's penalty for ever).
const SDK_GIVE_UP: Duration = Duration::from_secs(60);

struct Loop {
    took: Duration,
    throttled: usize,
    /// Calls that succeeded (the SDK loops may give up).
    completed: usize,
}

/// `processes` kosmo runs of `calls` calls each, started together on a fresh simulator.
fn kosmo_loops(processes: usize, calls: usize) -> Loop {
    let sim = limited_sim();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    // The compile cache first, so the runs start at once.
    run(kosmo_on(&sim, plugins.path()).args(["integrations:list"]), None);
    let code = format!("for i = 1, {calls} do app.integrations.ringcentral.get_current_user({{}}) end");
    let started = Instant::now();
    let running: Vec<_> = (0..processes)
        .map(|_| {
            let mut command = kosmo_on(&sim, plugins.path());
            command.args(["integrations:lua", "--eval", &code, "--json", "--cpu-limit", "600"]);
            spawn(&mut command, None)
        })
        .collect();
    for finished in running.into_iter().map(|r| r.finish()) {
        assert_eq!(finished.envelope()["success"], true, "a paced kosmo run failed: {}", finished.stdout);
    }
    let took = started.elapsed();
    let sent = sim.requests().iter().filter(|r| r["path"] == ENDPOINT).count();
    Loop { took, throttled: sent - processes * calls, completed: processes * calls }
}

/// The same with the Python SDK's loop.
fn sdk_loops(python: &str, script: &Path, processes: usize, calls: usize) -> Loop {
    let sim = limited_sim();
    let started = Instant::now();
    let children: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(python)
                .arg(script)
                .arg(calls.to_string())
                .arg(SDK_GIVE_UP.as_secs().to_string())
                .env("RC_SERVER_URL", &sim.url)
                .env("RC_ACCESS_TOKEN", SIM_TOKEN)
                .stdout(Stdio::piped())
                .spawn()
                .expect("run the Python SDK loop (make bench installs the SDK)")
        })
        .collect();
    let (mut throttled, mut completed) = (0, 0);
    for child in children {
        let output = child.wait_with_output().expect("wait for the SDK loop");
        assert!(output.status.success(), "the SDK loop failed");
        let line: Value = serde_json::from_slice(&output.stdout).expect("the SDK loop prints JSON");
        throttled += line["throttled"].as_u64().unwrap_or(0) as usize;
        completed += line["completed"].as_u64().unwrap_or(0) as usize;
    }
    Loop { took: started.elapsed(), throttled, completed }
}

pub fn rate_limits(python: &str, sdk_script: &Path, calls: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for processes in [1, 2] {
        let per_process = if processes == 1 { calls } else { calls / 2 + calls % 2 };
        let total = per_process * processes;
        let least = least_time(total);
        let kosmo = kosmo_loops(processes, per_process);
        let sdk = sdk_loops(python, sdk_script, processes, per_process);
        let ratio = kosmo.took.as_secs_f64() / least.as_secs_f64();
        let sdk_done = if sdk.completed == total {
            String::new()
        } else {
            format!(", gave up after {} s with {}/{total} calls done", SDK_GIVE_UP.as_secs(), sdk.completed)
        };
        let shape =
            if processes == 1 { format!("{total} calls") } else { format!("2 processes × {per_process} calls") };
        rows.push(Row {
            what: format!("{shape} under 10 Light / 4 s: kosmo vs the least time the limit allows"),
            figure: format!(
                "{:.2} s vs {:.0} s = {ratio:.3}×, {} × 429 (Python SDK: {:.2} s, {} × 429{sdk_done})",
                kosmo.took.as_secs_f64(),
                least.as_secs_f64(),
                kosmo.throttled,
                sdk.took.as_secs_f64(),
                sdk.throttled,
            ),
            target: "≤ 1.05×, 0 × 429".into(),
            met: Some(ratio <= 1.05 && kosmo.throttled == 0),
        });
    }
    rows
}
