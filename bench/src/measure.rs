//! The measurements. Each returns report rows with its figures and targets.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kosmo_harness::{SIM_TOKEN, Sim, kosmo_bin, kosmo_on, lua_json, ringcentral_plugin};
use serde_json::Value;

use crate::report::Row;

const ENDPOINT: &str = "/restapi/v1.0/account/~/extension/~";
const ONE_SHOT_LUA: &str = "dump(app.integrations.ringcentral.get_current_user({}))";

/// Median per-call time of N `get_current_user` calls through kosmo in one
/// process (Lua → plugin → gate → simulator) against N plain GETs of the same
/// endpoint by a Rust HTTP client in this process. Both keep their connection
/// alive between calls, as kosmo's gate does.
pub fn warm_overhead(sim: &Sim, plugins: &Path, calls: usize) -> Vec<Row> {
    let code = format!("local rc = app.integrations.ringcentral for i = 1, {calls} do rc.get_current_user({{}}) end");
    let run = lua_json(&mut kosmo_on(sim, plugins), &code, &["--cpu-limit", "600"]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "the warm run failed: {}", run.stdout);
    let through_kosmo: Vec<f64> = envelope["integration_calls"]
        .as_array()
        .expect("integration_calls")
        .iter()
        .map(|call| call["durationMs"].as_f64().expect("durationMs") * 1000.0)
        .collect();

    let url = format!("{}{ENDPOINT}", sim.url);
    let agent = ureq::Agent::new_with_defaults();
    let plain: Vec<f64> = (0..calls)
        .map(|_| {
            let started = Instant::now();
            plain_get(&agent, &url);
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();

    let kosmo = median(through_kosmo);
    let baseline = median(plain);
    let added = kosmo - baseline;
    vec![
        Row {
            what: "warm call through kosmo, median".into(),
            figure: format!("{kosmo:.0} µs (plain GET {baseline:.0} µs, ratio {:.2}×)", kosmo / baseline),
            target: "–".into(),
            met: None,
        },
        Row {
            what: "warm per-call overhead (kosmo − plain GET), median".into(),
            figure: format!("{added:.0} µs"),
            target: "≤ 100 µs".into(),
            met: Some(added <= 100.0),
        },
    ]
}

/// `kosmo integrations:lua --eval … --json` against curl and the Python SDK
/// making the same call, timed by hyperfine.
pub fn one_shot(sim: &Sim, plugins: &Path, python: &str, sdk_script: &Path) -> Vec<Row> {
    let url = format!("{}{ENDPOINT}", sim.url);
    let kosmo = format!("{} integrations:lua --eval '{ONE_SHOT_LUA}' --json", kosmo_bin().display());
    let curl = format!("curl -sf -H 'Authorization: Bearer {SIM_TOKEN}' '{url}'");
    let sdk = format!("{python} {}", sdk_script.display());
    let export = std::env::temp_dir().join(format!("kosmo-bench-{}.json", std::process::id()));
    let status = with_sim_env(Command::new("hyperfine"), sim, plugins)
        .args(["--warmup", "3", "--runs", "30", "--style", "basic", "--export-json"])
        .arg(&export)
        .args(["-n", "kosmo", &kosmo, "-n", "curl", &curl, "-n", "python-sdk", &sdk])
        .status()
        .expect("run hyperfine (make bench installs it)");
    assert!(status.success(), "hyperfine failed");
    let results: Value = serde_json::from_str(&std::fs::read_to_string(&export).expect("hyperfine's export")).unwrap();
    let _ = std::fs::remove_file(&export);
    let median_ms = |name: &str| -> f64 {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["command"] == name)
            .and_then(|r| r["median"].as_f64())
            .unwrap_or_else(|| panic!("no hyperfine result for {name}"))
            * 1000.0
    };
    let (kosmo_ms, curl_ms, sdk_ms) = (median_ms("kosmo"), median_ms("curl"), median_ms("python-sdk"));
    vec![
        Row {
            what: "one-shot `kosmo integrations:lua` vs curl (median)".into(),
            figure: format!("{kosmo_ms:.1} ms vs {curl_ms:.1} ms = {:.1}×", kosmo_ms / curl_ms),
            target: "≤ 3× curl".into(),
            met: Some(kosmo_ms <= 3.0 * curl_ms),
        },
        Row {
            what: "one-shot Python SDK vs kosmo (median)".into(),
            figure: format!("{sdk_ms:.1} ms vs {kosmo_ms:.1} ms = {:.1}× faster", sdk_ms / kosmo_ms),
            target: "≥ 10× faster than the SDK".into(),
            met: Some(sdk_ms >= 10.0 * kosmo_ms),
        },
    ]
}

/// Peak RSS of the one-shot run, and the release plugin's size.
pub fn footprint(sim: &Sim, plugins: &Path) -> Vec<Row> {
    let output = with_sim_env(Command::new("/usr/bin/time"), sim, plugins)
        .args(["-f", "%M"])
        .arg(kosmo_bin())
        .args(["integrations:lua", "--eval", ONE_SHOT_LUA, "--json"])
        .output()
        .expect("run /usr/bin/time (make bench installs it)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak_kb: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).expect("time's %M figure");
    let peak_mb = peak_kb / 1024.0;
    let plugin_kb = std::fs::metadata(ringcentral_plugin()).expect("the plugin").len() as f64 / 1024.0;
    vec![
        Row {
            what: "one-shot peak RSS".into(),
            figure: format!("{peak_mb:.1} MB"),
            target: "≤ 40 MB".into(),
            met: Some(peak_mb <= 40.0),
        },
        Row {
            what: "release plugin size".into(),
            figure: format!("{plugin_kb:.0} KB"),
            target: "≤ 250 KB".into(),
            met: Some(plugin_kb <= 250.0),
        },
    ]
}

/// One GET of the benchmark's endpoint with the simulator's token, as a
/// plain Rust client makes it; the body must be the extension.
pub fn plain_get(agent: &ureq::Agent, url: &str) {
    let body = agent
        .get(url)
        .header("Authorization", &format!("Bearer {SIM_TOKEN}"))
        .call()
        .expect("plain GET")
        .into_body()
        .read_to_string()
        .expect("read the body");
    assert!(body.contains("extensionNumber"));
}

fn with_sim_env(mut command: Command, sim: &Sim, plugins: &Path) -> Command {
    for (name, _) in std::env::vars() {
        if name.starts_with("RC_") || name.starts_with("KOSMO_") {
            command.env_remove(name);
        }
    }
    command
        .env("KOSMO_PLUGIN_DIR", plugins)
        .env("HOME", plugins)
        .env("XDG_CACHE_HOME", plugins.join("cache"))
        .env("RC_SERVER_URL", &sim.url)
        .env("RC_ACCESS_TOKEN", SIM_TOKEN)
        .env("KOSMO_ALLOW_LOOPBACK_SERVER", "1");
    command
}

pub fn median(mut values: Vec<f64>) -> f64 {
    assert!(!values.is_empty());
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 0 { (values[middle - 1] + values[middle]) / 2.0 } else { values[middle] }
}
