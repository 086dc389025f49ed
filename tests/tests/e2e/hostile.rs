//! The hostile-plugin suite: a component that claims to be the RingCentral
//! integration (tests/plugins/hostile) attacks the host. For each attack the
//! test checks that it failed, that the error says clearly why, and that the
//! same kosmo process then serves a normal call. The last test runs the
//! attacks under OAuth and greps everything the plugin saw for the secrets.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kosmo_harness::mcp::{McpClient, result_text};
use kosmo_harness::*;
use serde_json::{Value, json};

const ME: &str = "/restapi/v1.0/account/~/extension/~";

/// `tool(args)` in a `pcall`, then a normal request to the account's server.
fn attack_then_normal(sim: &Sim, tool: &str, args: &str) -> String {
    format!(
        "local ok, outcome = pcall(function() return app.integrations.ringcentral.{tool}({args}) end)
         local normal = app.integrations.ringcentral.fetch({{url = {normal:?}, raise = true}})
         return ok, outcome, normal.report.status",
        normal = format!("{}{ME}", sim.url)
    )
}

struct Outcome {
    /// The attack's error, if it raised one.
    error: Option<String>,
    /// What the attack returned, if it did.
    report: Value,
    run: Run,
}

/// Runs one attack in a fresh kosmo process and checks that the host served
/// a normal call after it.
fn attack(sim: &Sim, command: &mut std::process::Command, tool: &str, args: &str) -> Outcome {
    let run = lua_json(command, &attack_then_normal(sim, tool, args), &[]);
    outcome_of(run, tool, args)
}

fn outcome_of(run: Run, tool: &str, args: &str) -> Outcome {
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{tool}({args}): the script itself failed:\n{}\n{}", run.stdout, run.stderr);
    let result = &envelope["result"];
    assert_eq!(result[2], 200, "{tool}({args}): the host did not serve a normal call afterwards: {result}");
    let (error, report) = if result[0] == false {
        (Some(result[1].as_str().unwrap_or_default().to_string()), Value::Null)
    } else {
        (None, result[1]["report"].clone())
    };
    Outcome { error, report, run }
}

/// An attack that must fail with an error containing `expected`.
fn must_fail(sim: &Sim, plugins: &std::path::Path, tool: &str, args: &str, expected: &[&str]) -> Outcome {
    let outcome = attack(sim, &mut kosmo_on(sim, plugins), tool, args);
    let error = outcome.error.clone().unwrap_or_else(|| panic!("{tool}({args}) succeeded: {}", outcome.report));
    for text in expected {
        assert!(error.contains(text), "{tool}({args}): the error should say {text:?}: {error}");
    }
    outcome
}

fn fetch_args(url: &str, extra: &str) -> String {
    format!("{{url = {url:?}, raise = true{extra}}}")
}

#[test]
fn requests_outside_the_accounts_origin_are_denied() {
    let sim = Sim::start();
    let bystander = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let host_port = sim.url.trim_start_matches("http://").to_string();
    let port: u16 = host_port.rsplit(':').next().unwrap().parse().unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("another host", "https://evil.example/steal".into(), "https://evil.example is not an allowed origin"),
        (
            "cloud metadata",
            "http://169.254.169.254/latest/meta-data/".into(),
            "169.254.169.254 is not an allowed origin",
        ),
        ("another local server", format!("{}{ME}", bystander.url), "is not an allowed origin"),
        ("IPv6 loopback", format!("http://[::1]:{port}{ME}"), "is not an allowed origin"),
        ("decimal IP", format!("http://2130706433:{port}{ME}"), "is not an allowed origin"),
        ("localhost by name", format!("http://localhost:{port}{ME}"), "is not an allowed origin"),
        ("wrong port", format!("http://127.0.0.1:{}{ME}", port.wrapping_add(1)), "is not an allowed origin"),
        ("https on the http server", format!("https://{host_port}{ME}"), "is not an allowed origin"),
        ("http downgrade", format!("http://platform.ringcentral.com{ME}"), "is not an allowed origin"),
    ];
    for (name, url, expected) in &cases {
        let outcome =
            must_fail(&sim, plugins.path(), "fetch", &fetch_args(url, ""), &["request denied by the host", expected]);
        assert!(outcome.run.stderr.contains("kosmo: denied a plugin request"), "{name}: denials are logged");
    }
    // Only the normal calls reached the account's server, and nothing the other one.
    assert_eq!(sim.requests().len(), cases.len(), "{:?}", sim.requests());
    assert!(bystander.requests().is_empty());
}

#[test]
fn user_information_in_the_authority_never_reaches_anyone() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let host_port = sim.url.trim_start_matches("http://");
    for url in [
        format!("http://platform.ringcentral.com@{host_port}{ME}"),
        format!("http://{host_port}@evil.example{ME}"),
        format!("http://user:password@{host_port}{ME}"),
    ] {
        let outcome = attack(&sim, &mut kosmo_on(&sim, plugins.path()), "fetch", &fetch_args(&url, ""));
        let error = outcome.error.unwrap_or_else(|| panic!("{url}: {}", outcome.report));
        // Refused by the WASI layer (invalid authority) or by the gate.
        assert!(
            error.contains("authority: rejected") || error.contains("user information in the authority is not allowed"),
            "{url}: {error}"
        );
    }
    assert_eq!(sim.requests().len(), 3, "only the normal calls arrived");
}

#[test]
fn oauth_paths_are_reserved_to_the_host() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    for path in [
        "/restapi/oauth/token",
        "/restapi/oauth/revoke",
        "/restapi//oauth/token",
        "/RESTAPI/OAuth/Token",
        "/restapi/%6fauth/token",
        "/restapi/%256fauth/token",
        "/restapi/oauth;x=1/token",
        "/restapi/v1.0/../oauth/token",
        "/restapi/v1.0/%2e%2e/oauth/token",
        "/restapi/v1.0/%2E%2E%2Foauth/token",
    ] {
        let url = format!("{}{path}", sim.url);
        let body = ", method = 'POST', body = 'grant_type=refresh_token&refresh_token=guess'";
        let outcome =
            must_fail(&sim, plugins.path(), "fetch", &fetch_args(&url, body), &["request denied by the host"]);
        let error = outcome.error.unwrap();
        assert!(
            error.contains("OAuth endpoints are reserved to the host") || error.contains("dot segments"),
            "{path}: {error}"
        );
    }
    assert!(sim.requests_to("POST", "/token").is_empty() && sim.requests_to("POST", "/revoke").is_empty());
}

#[test]
fn forbidden_headers_can_be_neither_set_nor_read() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let url = format!("{}{ME}", sim.url);
    for header in ["authorization", "Authorization", "host", "cookie", "proxy-authorization", "x-forwarded-for"] {
        let args = fetch_args(&url, &format!(", headers = {{[{header:?}] = 'Bearer stolen'}}"));
        must_fail(&sim, plugins.path(), "fetch", &args, &["headers: HeaderError::Forbidden"]);
    }
    // A server that echoes the credential back: the plugin sees none of it.
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "echo_authorization" }));
    let outcome = attack(&sim, &mut kosmo_on(&sim, plugins.path()), "fetch", &fetch_args(&url, ""));
    assert_eq!(outcome.report["status"], 200, "{}", outcome.report);
    let headers = outcome.report["headers"].to_string().to_lowercase();
    assert!(!headers.contains("authorization") && !headers.contains("set-cookie"), "{headers}");
    assert!(!headers.contains(SIM_TOKEN), "{headers}");
    // Every request that arrived carried the host's token, not the plugin's.
    for request in sim.requests() {
        assert_eq!(request["headers"]["authorization"], format!("Bearer {SIM_TOKEN}"));
        assert!(request["headers"].get("cookie").is_none());
    }
}

#[test]
fn a_redirect_to_another_host_is_not_followed_by_the_host_and_denied_to_the_plugin() {
    let sim = Sim::start();
    let bystander = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let elsewhere = format!("{}{ME}", bystander.url);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "redirect", "location": elsewhere }));
    let url = format!("{}{ME}", sim.url);
    let outcome = must_fail(
        &sim,
        plugins.path(),
        "fetch",
        &fetch_args(&url, ", follow = true"),
        &["request denied by the host", "is not an allowed origin"],
    );
    assert!(outcome.run.stderr.contains(&bystander.url.replace("http://", "")), "{}", outcome.run.stderr);
    assert!(bystander.requests().is_empty(), "neither the host nor the plugin reached the other server");
}

#[test]
fn the_plugin_sees_no_environment_files_sockets_or_stdin() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let tcp = sim.url.trim_start_matches("http://").to_string();
    let mut command = kosmo_on(&sim, plugins.path());
    command.env("RC_APP_CLIENT_SECRET", "in-the-host-environment");
    let outcome = attack(&sim, &mut command, "environment", &format!("{{tcp = {tcp:?}}}"));
    let report = &outcome.report;
    assert_eq!(report["env"], json!([]), "{report}");
    assert_eq!(report["args"], json!([]), "{report}");
    assert_eq!(report["secret_vars"], json!([null, null, null]), "{report}");
    for file in report["files"].as_array().unwrap() {
        assert!(!file.as_str().unwrap().contains(": read "), "no file is readable: {file}");
    }
    assert!(!report["listing"].as_str().unwrap().starts_with("read "), "{report}");
    assert_ne!(report["write"], "written", "{report}");
    assert_ne!(report["tcp"], "connected", "no TCP, even to the account's own server: {report}");
    assert_ne!(report["listen"], "listening", "{report}");
    assert_ne!(report["udp"], "sent", "{report}");
    assert!(!report["dns"].as_str().unwrap().starts_with("resolved"), "no name lookups: {report}");
    assert!(report["stdin"] == "read 0 bytes: " || !report["stdin"].as_str().unwrap().starts_with("read"), "{report}");
    // What the plugin printed went nowhere.
    assert!(!outcome.run.stdout.contains("HOSTILE-") && !outcome.run.stderr.contains("HOSTILE-"));
    assert_eq!(sim.requests().len(), 1, "only the normal call reached the server");
}

#[test]
fn a_call_never_sees_what_an_earlier_call_left_in_memory() {
    // One process, so the later calls run in the instance slot (and memory)
    // the earlier ones used: only its reset stands between them.
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let secret = "kosmo-leftover-5f3a9c";
    let reversed: String = secret.chars().rev().collect();
    let code = format!(
        "local rc = app.integrations.ringcentral
         local same_call = rc.leftovers({{plant = {secret:?}, look_for_reversed = {reversed:?}}}).report
         local later = {{}}
         for i = 1, 3 do
           later[i] = rc.leftovers({{plant = 'other-' .. i, look_for_reversed = {reversed:?}}}).report
         end
         return same_call, later"
    );
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), &code, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    let same_call = &envelope["result"][0];
    // The search works: within one call it finds the copies it planted.
    assert!(same_call["hits"].as_u64().unwrap() >= 64, "{same_call}");
    assert_eq!(same_call["static_from_earlier_call"], Value::Null, "{same_call}");
    for later in envelope["result"][1].as_array().unwrap() {
        assert_eq!(later["hits"], 0, "a later call found the earlier call's secret in memory: {later}");
        assert_eq!(later["static_from_earlier_call"], Value::Null, "a static survived the call: {later}");
        assert!(later["memory_bytes"].as_u64().unwrap() >= 1 << 20, "the whole memory was searched: {later}");
    }
}

#[test]
fn cpu_memory_stack_panics_and_exits_are_contained() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let cases: &[(&str, &[&str])] = &[
        ("loop", &["the plugin failed", "ran longer than its CPU limit of 2 s"]),
        ("memory_bomb", &["the plugin failed", "exceeded its memory limit of 64 MiB"]),
        ("recurse", &["the plugin failed", "overflowed its stack (deep recursion"]),
        ("panic", &["the plugin failed", "it crashed: it panicked or aborted"]),
        ("exit", &["the plugin failed", "it called exit (status 1) instead of returning"]),
        ("resource_bomb", &["the plugin failed", "more than 1000 host resources"]),
    ];
    for (tool, expected) in cases {
        let started = Instant::now();
        let mut command = kosmo_on(&sim, plugins.path());
        command.env("KOSMO_PLUGIN_TIMEOUT_MS", "2000");
        let outcome = attack(&sim, &mut command, tool, "{}");
        let error = outcome.error.unwrap_or_else(|| panic!("{tool} returned: {}", outcome.report));
        for text in *expected {
            assert!(error.contains(text), "{tool}: the error should say {text:?}: {error}");
        }
        // A runaway would run to the harness's deadline; a loaded machine may be slow to start kosmo.
        assert!(started.elapsed() < Duration::from_secs(60), "{tool} took {:?}", started.elapsed());
    }
}

#[test]
fn huge_responses_huge_requests_and_request_floods_are_capped() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let url = format!("{}{ME}", sim.url);

    sim.faults(json!({ "method": "GET", "path": ME, "kind": "huge", "size": 24 << 20 }));
    let outcome = must_fail(
        &sim,
        plugins.path(),
        "fetch",
        &fetch_args(&url, ", count_only = true"),
        &["request failed", "the response body is larger than the 16384 KiB limit"],
    );
    assert!(outcome.error.unwrap().contains("reading the body after"), "the body was cut off");

    let before = sim.requests().len();
    let args = fetch_args(&url, ", method = 'PUT', body_size = 3 * 1024 * 1024");
    must_fail(&sim, plugins.path(), "fetch", &args, &["the request body is larger than the 2048 KiB limit"]);
    assert!(sim.requests_to("PUT", ME).is_empty(), "the oversized request never left the host");
    assert_eq!(sim.requests().len(), before + 1);

    let outcome =
        attack(&sim, &mut kosmo_on(&sim, plugins.path()), "many_requests", &format!("{{url = {url:?}, count = 1000}}"));
    assert_eq!(outcome.report["succeeded"], 20, "{}", outcome.report);
    assert!(outcome.report["stopped_by"].to_string().contains("HttpRequestDenied"), "{}", outcome.report);
    assert!(outcome.run.stderr.contains("more than 20 requests in one tool call"), "{}", outcome.run.stderr);
}

#[test]
fn a_call_holding_a_slow_connection_is_stopped_by_the_wall_clock() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    // The server would answer after a minute; the call must be stopped long before. The bound
    // on the elapsed time is loose on purpose: a loaded machine may take seconds to start kosmo.
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "slow", "delay_ms": 60000 }));
    let started = Instant::now();
    let mut command = kosmo_on(&sim, plugins.path());
    command.env("KOSMO_PLUGIN_TIMEOUT_MS", "1500");
    let outcome = attack(&sim, &mut command, "fetch", &fetch_args(&format!("{}{ME}", sim.url), ""));
    let error = outcome.error.expect("the slow call failed");
    assert!(error.contains("took longer than 1.5 s and was stopped"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(40), "the call waited for the server: {:?}", started.elapsed());
}

/// Every attack, under the OAuth JWT grant with distinctive secrets, with the
/// plugin reporting everything it saw; none of the client secret, the JWT or
/// the access and refresh tokens may appear in it.
#[test]
fn no_secret_reaches_anything_the_plugin_can_see() {
    let client_secret = "client-secret-7c4f0e9b21";
    let jwt = "user-jwt-0d5e8a3f66";
    let sim = Sim::with_args(&["--client-secret", client_secret, "--jwt", jwt, "--access-token-ttl", "600"]);
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let me = format!("{}{ME}", sim.url);
    let tcp = sim.url.trim_start_matches("http://").to_string();
    // The renewal after a 401 and the echoing server are part of the attack surface.
    sim.faults(json!([
        { "method": "GET", "path": ME, "kind": "expired_token" },
        { "method": "GET", "path": "/restapi/v1.0/account/~", "kind": "echo_authorization" },
    ]));
    let calls = [
        format!("fetch({{url = {me:?}}})"),
        format!("fetch({{url = {:?}}})", format!("{}/restapi/v1.0/account/~", sim.url)),
        format!("fetch({{url = {:?}, method = 'POST'}})", format!("{}/restapi/oauth/token", sim.url)),
        format!("fetch({{url = {:?}, headers = {{authorization = 'x'}}}})", me),
        format!("environment({{tcp = {tcp:?}}})"),
        format!("many_requests({{url = {me:?}, count = 25}})"),
        "loop({})".into(),
        "panic({})".into(),
    ];
    let script = format!(
        "local seen = {{}}
         for i, call in ipairs({{ {} }}) do
           local ok, outcome = pcall(call)
           seen[i] = {{ok = ok, outcome = outcome}}
         end
         return seen",
        calls
            .iter()
            .map(|c| format!("function() return app.integrations.ringcentral.{c} end"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut command = kosmo(plugins.path());
    command
        .env("RC_SERVER_URL", &sim.url)
        .env("RC_APP_CLIENT_ID", SIM_CLIENT_ID)
        .env("RC_APP_CLIENT_SECRET", client_secret)
        .env("RC_USER_JWT", jwt)
        .env("KOSMO_ALLOW_LOOPBACK_SERVER", "1")
        .env("KOSMO_PLUGIN_TIMEOUT_MS", "3000");
    let run = lua_json(&mut command, &script, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    let seen = &envelope["result"][0];
    assert_eq!(seen[0]["outcome"]["report"]["status"], 200, "the renewed call went through: {seen}");
    assert_eq!(seen[1]["outcome"]["report"]["status"], 200, "{seen}");

    // The secrets as the host held them: configured, and issued by the simulator.
    let mut secrets = vec![client_secret.to_string(), jwt.to_string()];
    for request in sim.requests_to("POST", TOKEN_PATH) {
        secrets.push(request["headers"]["authorization"].as_str().unwrap().trim_start_matches("Basic ").to_string());
    }
    for request in sim.requests() {
        if let Some(bearer) = request["headers"]["authorization"].as_str().and_then(|a| a.strip_prefix("Bearer ")) {
            secrets.push(bearer.to_string());
        }
    }
    let cache = plugins.path().join("cache/kosmo/tokens");
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let cached: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            secrets.push(cached["access_token"].as_str().unwrap().to_string());
            secrets.push(cached["refresh_token"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(sim.token_grants().len(), 2, "a grant, then the renewal after the 401");
    assert!(secrets.len() >= 7, "{secrets:?}");
    let everything = format!("{}\n{}", run.stdout, run.stderr);
    for secret in &secrets {
        assert!(!everything.contains(secret.as_str()), "{secret} leaked into what the plugin saw:\n{everything}");
    }
    // The tokens did reach the server, on the plugin's behalf.
    assert!(
        sim.requests_to("GET", ME)
            .iter()
            .all(|r| r["headers"]["authorization"].as_str().unwrap().starts_with("Bearer SIMAT"))
    );
}

/// The plugin's memory limit (the host's default).
const PLUGIN_MEMORY: u64 = 64 << 20;
/// What one call may add to the host's peak resident set, over a normal
/// call's: a small multiple of the plugin's limit.
const CALL_HEADROOM: u64 = 2 * PLUGIN_MEMORY;

/// Runs `command` to its end, as `run` does, and reads its peak resident set
/// from the kernel's accounting of the child (`wait4`), in bytes.
fn run_measuring_peak(command: &mut Command) -> (Run, u64) {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("start kosmo");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: rusage is plain data; wait4 fills it for our own child, which
        // nothing else waits for (std's Child is never waited on).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(waited >= 0, "wait4: {}", std::io::Error::last_os_error());
        if waited == pid {
            break (status, usage);
        }
        if started.elapsed() > RUN_DEADLINE {
            let _ = child.kill();
            panic!("kosmo ran for more than {} s and was killed", RUN_DEADLINE.as_secs());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    let run = Run { code, stdout: stdout.join().unwrap_or_default(), stderr: stderr.join().unwrap_or_default() };
    // ru_maxrss is in KiB on Linux.
    (run, usage.ru_maxrss as u64 * 1024)
}

fn attack_measuring_peak(sim: &Sim, plugins: &std::path::Path, tool: &str, args: &str) -> (Outcome, u64) {
    let mut command = kosmo_on(sim, plugins);
    command.args(["integrations:lua", "--eval", &attack_then_normal(sim, tool, args), "--json"]);
    let (run, peak) = run_measuring_peak(&mut command);
    (outcome_of(run, tool, args), peak)
}

fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

/// Results, header fields and request bodies are what a plugin can make the
/// host hold outside its own memory; each attack stays within a small multiple
/// of the plugin's limit over what a normal call takes.
#[test]
fn the_hosts_memory_follows_the_plugins_limit() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let (normal, base) =
        attack_measuring_peak(&sim, plugins.path(), "fetch", &fetch_args(&format!("{}{ME}", sim.url), ""));
    assert_eq!(normal.report["status"], 200, "{}", normal.report);
    let ceiling = base + CALL_HEADROOM;

    // 15 million values in 30 MiB of text: refused before anything parses it.
    let (wide, peak) = attack_measuring_peak(&sim, plugins.path(), "wide_result", "{count = 15000000}");
    let error = wide.error.unwrap_or_else(|| panic!("the wide result was taken: {}", wide.run.stderr));
    assert!(error.contains("its result holds more than the limit of 1000000 values"), "{error}");
    assert!(peak < ceiling, "a wide result took the host to {} MiB (a normal call: {} MiB)", mib(peak), mib(base));

    let (deep, _) = attack_measuring_peak(&sim, plugins.path(), "wide_result", "{depth = 100}");
    let error = deep.error.expect("the deep result was refused");
    assert!(error.contains("its result nests deeper than the limit of 64 levels"), "{error}");

    // Header fields: each is capped (120 KB in one is refused)...
    let args = "{count = 5000, headers = 15, value_size = 8000}";
    let (headers, peak) = attack_measuring_peak(&sim, plugins.path(), "hoard_headers", args);
    let error = headers.error.unwrap_or_else(|| panic!("the headers were kept: {}", headers.report));
    assert!(error.contains("its header fields exceeded the limit of 16 KiB per fields resource"), "{error}");
    assert!(peak < ceiling, "hoarded headers took the host to {} MiB (a normal call: {} MiB)", mib(peak), mib(base));
    // ...and so is how many a call may keep.
    let args = "{count = 5000, headers = 1, value_size = 8000}";
    let (headers, peak) = attack_measuring_peak(&sim, plugins.path(), "hoard_headers", args);
    let error = headers.error.unwrap_or_else(|| panic!("the headers were kept: {}", headers.report));
    assert!(error.contains("it held more than 1000 host resources"), "{error}");
    assert!(peak < ceiling, "hoarded headers took the host to {} MiB (a normal call: {} MiB)", mib(peak), mib(base));

    // Bodies never sent: each holds two 64 KiB chunks at most.
    let (bodies, peak) = attack_measuring_peak(&sim, plugins.path(), "hoard_bodies", "{count = 300}");
    assert_eq!(bodies.report["bodies"], 300, "{}", bodies.report);
    assert!(bodies.report["written"].as_u64().unwrap() <= 300 * 2 * (64 << 10), "{}", bodies.report);
    assert!(peak < ceiling, "hoarded bodies took the host to {} MiB (a normal call: {} MiB)", mib(peak), mib(base));
    assert_eq!(sim.requests().len(), 7, "only the normal calls reached the server");
}

/// The peak resident set of a running process so far, in bytes.
fn high_water_mark(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/PID/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("a VmHWM line");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM in kB");
    kib * 1024
}

#[test]
fn four_hostile_calls_at_once_keep_mcp_serve_within_its_limits() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let (client, _) = McpClient::start(kosmo_on(&sim, plugins.path()), &[]);
    let normal = client.call_tool("ringcentral_fetch", json!({ "url": format!("{}{ME}", sim.url) }));
    assert!(result_text(&normal).contains("\"status\":200"), "{normal}");
    let base = high_water_mark(client.pid());
    std::thread::scope(|scope| {
        let calls: Vec<_> = (0..4)
            .map(|i| {
                let client = &client;
                scope.spawn(move || match i % 2 {
                    0 => client.call_tool("ringcentral_wide_result", json!({ "count": 15_000_000 })),
                    _ => client.call_tool("ringcentral_hoard_headers", json!({ "count": 5000, "headers": 15 })),
                })
            })
            .collect();
        for call in calls {
            let answer = call.join().unwrap();
            let text = result_text(&answer);
            assert_eq!(answer["isError"], true, "{text}");
            assert!(text.contains("limit of 1000000 values") || text.contains("limit of 16 KiB per fields"), "{text}");
        }
    });
    let peak = high_water_mark(client.pid());
    assert!(
        peak < base + 4 * CALL_HEADROOM,
        "four calls took mcp:serve to {} MiB (after a normal call: {} MiB)",
        mib(peak),
        mib(base)
    );
    let after = client.call_tool("ringcentral_fetch", json!({ "url": format!("{}{ME}", sim.url) }));
    assert!(result_text(&after).contains("\"status\":200"), "the server goes on serving: {after}");
}

#[test]
fn headers_that_make_proxies_rewrite_the_request_are_forbidden() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let url = format!("{}{ME}", sim.url);
    let headers = ["x-original-url", "X-Rewrite-URL", "x-http-method-override", "x-http-method", "x-method-override"];
    for header in headers {
        let args = fetch_args(&url, &format!(", headers = {{[{header:?}] = {TOKEN_PATH:?}}}"));
        must_fail(&sim, plugins.path(), "fetch", &args, &["headers: HeaderError::Forbidden"]);
    }
    let requests = sim.requests();
    assert_eq!(requests.len(), headers.len(), "only the normal calls arrived: {requests:?}");
    for request in requests {
        for header in headers {
            assert!(request["headers"].get(header.to_lowercase()).is_none(), "{request}");
        }
    }
}

#[test]
fn only_the_methods_ringcentral_uses_leave_the_host() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let url = format!("{}{ME}", sim.url);
    let methods = ["TRACE", "CONNECT", "OPTIONS", "HEAD", "PROPFIND"];
    for method in methods {
        let expected = format!("the method {method} is not allowed (only GET, POST, PUT, PATCH, DELETE)");
        let args = fetch_args(&url, &format!(", method = {method:?}"));
        must_fail(&sim, plugins.path(), "fetch", &args, &["request denied by the host", &expected]);
    }
    assert_eq!(sim.requests().len(), methods.len(), "only the normal calls arrived: {:?}", sim.requests());
}

/// A server or proxy that echoes the request in its body hands the token to
/// whoever reads the body: the gate masks it, across chunk boundaries too.
#[test]
fn the_token_is_masked_in_response_bodies() {
    let token = "sim-token-4f1c9a7e20b36d58-long-enough-for-the-mask";
    let sim = Sim::with_args(&["--token", token]);
    let plugins = plugin_dir(&[&hostile_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "echo_request", "size": 1 << 20 }));
    let mut command = kosmo(plugins.path());
    command.env("RC_SERVER_URL", &sim.url).env("RC_ACCESS_TOKEN", token).env("KOSMO_ALLOW_LOOPBACK_SERVER", "1");
    let outcome = attack(&sim, &mut command, "fetch", &fetch_args(&format!("{}{ME}", sim.url), ""));
    let body = outcome.report["body"].as_str().unwrap_or_else(|| panic!("{}", outcome.report));
    assert!(body.len() >= 1 << 20, "the whole echo arrived: {} bytes", body.len());
    assert!(!body.contains(token) && !outcome.run.stdout.contains(token), "the token reached the plugin");
    let masked = format!("Authorization: Bearer [token removed by kosmo]{}", "*".repeat(token.len() - 24));
    assert!(body.lines().all(|line| line == masked), "every echoed line is masked: {}", &body[..200]);
    assert_eq!(outcome.report["length"], body.len(), "the mask keeps the length");
    assert!(sim.requests().iter().all(|r| r["headers"]["authorization"] == format!("Bearer {token}")));
}

#[test]
fn paths_must_be_origin_form_and_denials_name_the_origin_asked_for() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let port: u16 = sim.url.rsplit(':').next().unwrap().parse().unwrap();
    let cases = [
        // A path that reads as an authority to some servers and proxies.
        (format!("{}//evil.example{TOKEN_PATH}", sim.url), "the path must be origin-form".to_string()),
        (format!("http://127.0.0.1:99999{ME}"), "http://127.0.0.1:99999 has an invalid port".into()),
        (format!("http://127.0.0.1:80{ME}"), "http://127.0.0.1:80 is not an allowed origin".into()),
        (
            format!("https://platform.ringcentral.com:443{ME}"),
            "https://platform.ringcentral.com:443 is not an allowed origin".into(),
        ),
        (
            format!("http://127.0.0.1:{}{ME}", port.wrapping_add(1)),
            format!("127.0.0.1:{} is not", port.wrapping_add(1)),
        ),
    ];
    for (url, expected) in &cases {
        must_fail(&sim, plugins.path(), "fetch", &fetch_args(url, ""), &["request denied by the host", expected]);
    }
    // An absolute-form path is refused before it reaches the gate (whose own check refuses it too).
    let absolute = format!("{}{TOKEN_PATH}", sim.url);
    let args = fetch_args(&format!("{}{ME}", sim.url), &format!(", method = 'POST', path = {absolute:?}"));
    must_fail(&sim, plugins.path(), "fetch", &args, &["path: rejected"]);
    assert_eq!(sim.requests().len(), cases.len() + 1, "only the normal calls arrived: {:?}", sim.requests());
}

/// A plugin streaming a request body past its cap while the script's CPU hook
/// would yield (it does every 20 ms of script time): the call ends as soon as
/// the gate stops reading, with the cap's error, never at the wall-clock
/// limit. The busy loops before each call move the hook's next yield across
/// the call, so some call always overlaps one.
#[test]
fn a_streamed_request_body_never_stalls_a_lua_call() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let url = format!("{}{ME}", sim.url);
    // No `pcall` (the hook cannot yield inside one): the plugin reports the
    // failed write instead of raising, and a stalled call fails the script.
    let code = format!(
        "local stages = {{}}
         for i = 0, 15 do
           local started = os.clock()
           while os.clock() - started < i * 0.003 do end
           local report = app.integrations.ringcentral.fetch(
             {{url = {url:?}, method = 'PUT', body_size = 3 * 1024 * 1024}}).report
           stages[#stages + 1] = report.stage .. ': ' .. report.error
         end
         return stages"
    );
    let mut command = kosmo_on(&sim, plugins.path());
    command.env("KOSMO_PLUGIN_TIMEOUT_MS", "3000");
    let run = lua_json(&mut command, &code, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "a call stalled:\n{}\n{}", run.stdout, run.stderr);
    for stage in envelope["result"][0].as_array().unwrap() {
        assert_eq!(stage, "body: StreamError::Closed", "the write failed once the gate stopped reading");
    }
    assert_eq!(envelope["result"][0].as_array().unwrap().len(), 16);
    assert!(sim.requests_to("PUT", ME).is_empty(), "no oversized request left the host");
}
