//! `KOSMO_STATE_URL=redis://...`: kosmo processes with separate homes (think
//! separate machines) share one token and one rate-limit budget through a
//! real `redis-server`. Under the simulator's enforced limits (10 Light
//! requests per 4 s), two processes of 20 calls each finish with every
//! request admitted the first time, within 1.25× the least time the limit
//! allows, and with one token request between them.

use std::time::{Duration, Instant};

use kosmo_harness::redis::RedisServer;
use kosmo_harness::*;

const ME: &str = "/restapi/v1.0/account/~/extension/~";

#[test]
fn two_homes_share_one_token_and_one_budget_through_redis() {
    let redis = RedisServer::start();
    let sim = Sim::with_args(&["--rate-limit", "light=10", "--rate-limit-window", "4"]);
    let homes = [plugin_dir(&[&ringcentral_plugin()]), plugin_dir(&[&ringcentral_plugin()])];
    // Compile the plugin into each home's cache first, so both runs start at once.
    for home in &homes {
        let warm = run(kosmo(home.path()).args(["integrations:list"]), None);
        assert_eq!(warm.code, 0, "{}", warm.stderr);
    }
    let script = "local n = 0
                  for i = 1, 20 do
                    if app.integrations.ringcentral.get_current_user({}).id then n = n + 1 end
                  end
                  return n";
    let started = Instant::now();
    let running: Vec<Running> = homes
        .iter()
        .map(|home| {
            let mut command = kosmo_jwt(&sim, home.path());
            command.env("KOSMO_STATE_URL", redis.url());
            command.args(["integrations:lua", "--eval", script, "--json", "--cpu-limit", "60"]);
            spawn(&mut command, None)
        })
        .collect();
    let runs: Vec<Run> = running.into_iter().map(Running::finish).collect();
    let took = started.elapsed();
    for run in &runs {
        let envelope = run.envelope();
        assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
        assert_eq!(envelope["result"][0], 20);
    }
    assert_eq!(sim.token_grants().len(), 1, "one token request between the two: {:?}", sim.token_grants());
    assert_eq!(sim.requests_to("GET", ME).len(), 40, "each call admitted the first time: no 429, no retry");
    let least = Duration::from_secs(12);
    assert!(took >= least.mul_f64(0.95), "{took:?}: faster than the limit allows ({least:?})?");
    // The bound on the pacing itself is on the scripts' own time: starting two
    // processes on a loaded machine can take seconds, which is not a wait.
    let scripts = runs.iter().map(|r| r.envelope()["execution_time_ms"].as_f64().unwrap()).fold(0.0, f64::max);
    let scripts = Duration::from_secs_f64(scripts / 1000.0);
    assert!(
        scripts <= least.mul_f64(1.25),
        "{scripts:?} in the longer script, more than 1.25 × the least time the limit allows ({least:?})"
    );

    // The state is in Redis, not in either home.
    let keys = redis.command("KEYS kosmo:*").unwrap();
    assert!(keys.contains("kosmo:tokens:") && keys.contains("kosmo:pacing:"), "{keys}");
    for home in &homes {
        assert!(!home.path().join("cache/kosmo/tokens").exists(), "tokens went to Redis, not the home");
        assert!(!home.path().join("cache/kosmo/pacing").exists(), "the budget went to Redis, not the home");
    }
}

#[test]
fn an_unreachable_state_url_is_a_clear_error() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = kosmo_jwt(&sim, plugins.path());
    command.env("KOSMO_STATE_URL", format!("redis://127.0.0.1:{port}/0"));
    let run = lua_json(&mut command, "return app.integrations.ringcentral.get_current_user({}).id", &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false, "{}", run.stdout);
    let error = envelope["error"].as_str().unwrap();
    assert!(error.contains("KOSMO_STATE_URL") && error.contains(&port.to_string()), "{error}");
}
