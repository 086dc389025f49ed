//! Hot swap in `kosmo mcp:serve`: a replaced plugin file serves the next
//! calls within a second, calls in flight finish on the old version, a broken
//! replacement is rejected while the old version keeps serving, and none of
//! it fails a call, even under load.
//!
//! The plugin is `tests/plugins/versioned`, built by `make build` as `v1`,
//! `v2` and `bad-api` (a component that claims an unsupported WIT api
//! version); its `served_by` tool answers the version that served the call.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kosmo_harness::mcp::{McpClient, result_json, result_text};
use kosmo_harness::*;
use serde_json::json;

const VALID: &[&str] = &["v1", "v2"];

fn server(plugins: &Path) -> McpClient {
    server_with(plugins, &[])
}

/// `mcp:serve` with extra arguments and debug logs (which say why a file was read).
fn server_with(plugins: &Path, args: &[&str]) -> McpClient {
    let mut command = kosmo(plugins);
    command.env("KOSMO_CONFIG", versioned_config(plugins, "")).env("KOSMO_LOG", "debug");
    McpClient::start(command, args).0
}

/// How a replacement reaches the plugin file.
#[derive(Clone, Copy, Debug)]
enum Write {
    /// A new file renamed over the old one (what installers do).
    Rename,
    /// The file rewritten in place.
    Rewrite,
}

fn replace(target: &Path, bytes: &[u8], how: Write) {
    match how {
        Write::Rename => {
            let temp = target.with_file_name(".incoming.tmp");
            std::fs::write(&temp, bytes).unwrap();
            std::fs::rename(&temp, target).unwrap();
        }
        Write::Rewrite => std::fs::write(target, bytes).unwrap(),
    }
}

fn served_by(client: &McpClient, hold_ms: u64) -> String {
    let result = client.call_tool("versioned_served_by", json!({ "hold_ms": hold_ms }));
    assert_ne!(result["isError"], true, "{result}");
    result_json(&result)["version"].as_str().unwrap().to_string()
}

/// How long a swap may take before a test calls it lost. Generous on purpose:
/// on a loaded machine a compile can take seconds; how quick swaps are is
/// measured by `make bench`, not asserted here.
const SWAP_DEADLINE: Duration = Duration::from_secs(30);

/// With a 10 s polling interval, a swap seen before this was woken by a
/// notification (the log says so too).
const NOTIFIED_DEADLINE: Duration = Duration::from_secs(9);

/// Polls until `served_by` answers `version`; the time it took.
fn time_until_served(client: &McpClient, version: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if served_by(client, 0) == version {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{version} was not served within {limit:?}; server log:\n{}", client.stderr());
}

#[test]
fn a_replacement_serves_while_calls_in_flight_finish_on_the_old_version() {
    replacements_serve_and_broken_ones_are_refused(&[]);
}

/// The same, seen by polling alone: the fallback where notifications are silent.
#[test]
fn polling_alone_sees_every_replacement_too() {
    replacements_serve_and_broken_ones_are_refused(&["--poll-only"]);
}

fn replacements_serve_and_broken_ones_are_refused(args: &[&str]) {
    let plugins = plugin_dir(&[]);
    let target = plugins.path().join("versioned.wasm");
    std::fs::copy(versioned_plugin("v1"), &target).unwrap();
    let client = server_with(plugins.path(), args);
    assert_eq!(served_by(&client, 0), "v1");

    std::thread::scope(|scope| {
        let in_flight = scope.spawn(|| served_by(&client, 1500));
        std::thread::sleep(Duration::from_millis(300));
        replace(&target, &std::fs::read(versioned_plugin("v2")).unwrap(), Write::Rename);
        let took = time_until_served(&client, "v2", SWAP_DEADLINE);
        eprintln!("v1 -> v2 (rename): served after {took:?}");
        assert_eq!(in_flight.join().unwrap(), "v1", "the call in flight finishes on the version it started on");
    });
    assert!(
        client.wait_for_notification("notifications/tools/list_changed", SWAP_DEADLINE),
        "{:?}",
        client.notifications()
    );

    // Broken replacements are rejected and logged; v2 keeps serving.
    let v2 = std::fs::read(versioned_plugin("v2")).unwrap();
    let broken: [(&str, Vec<u8>, &str); 3] = [
        ("not a component", b"this is not wasm".to_vec(), "is not a WebAssembly component"),
        ("truncated", v2[..v2.len() / 2].to_vec(), "is not a valid component"),
        (
            "unsupported WIT version",
            std::fs::read(versioned_plugin("bad-api")).unwrap(),
            "targets kosmo:integration@9.9.9",
        ),
    ];
    for (what, bytes, reason) in broken {
        replace(&target, &bytes, Write::Rewrite);
        assert!(client.wait_for_log(reason, SWAP_DEADLINE), "{what}: no rejection logged:\n{}", client.stderr());
        assert_eq!(served_by(&client, 0), "v2", "{what}: the old version keeps serving");
    }
    // The log is read by another thread: what the server wrote may arrive after its answers.
    assert!(client.wait_for_log("keeps serving", SWAP_DEADLINE), "{}", client.stderr());

    // A rewrite in place with a valid build is taken too.
    replace(&target, &std::fs::read(versioned_plugin("v1")).unwrap(), Write::Rewrite);
    let took = time_until_served(&client, "v1", SWAP_DEADLINE);
    eprintln!("v2 -> v1 (rewrite): served after {took:?}");

    // A removed file unregisters its id.
    std::fs::remove_file(&target).unwrap();
    let started = Instant::now();
    while client.list_tools().iter().any(|t| t["name"] == "versioned_served_by") {
        assert!(started.elapsed() < SWAP_DEADLINE, "{}", client.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = client.call_tool("versioned_served_by", json!({}));
    assert_eq!(gone["isError"], true, "{gone}");
    assert!(result_text(&gone).contains("unknown tool"), "{gone}");
    assert!(client.wait_for_log("is no longer served", SWAP_DEADLINE), "{}", client.stderr());

    // And a new file registers it again.
    std::fs::copy(versioned_plugin("v2"), plugins.path().join("again.wasm")).unwrap();
    let started = Instant::now();
    loop {
        let result = client.call_tool("versioned_served_by", json!({}));
        if result["isError"] != true {
            assert_eq!(result_json(&result)["version"], "v2");
            break;
        }
        assert!(started.elapsed() < SWAP_DEADLINE, "not registered again:\n{}", client.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn swap_under_load_fails_no_call_and_serves_only_valid_versions() {
    const SERVERS: usize = 2;
    const CALLERS_PER_SERVER: usize = 4;
    const MIN_CALLS_PER_CALLER: usize = 70;
    const REPLACEMENTS: usize = 24;
    let limit = Duration::from_secs(60);

    let plugins = plugin_dir(&[]);
    let target = plugins.path().join("versioned.wasm");
    std::fs::copy(versioned_plugin("v1"), &target).unwrap();
    let v1 = std::fs::read(versioned_plugin("v1")).unwrap();
    let v2 = std::fs::read(versioned_plugin("v2")).unwrap();
    let bad_api = std::fs::read(versioned_plugin("bad-api")).unwrap();
    let garbage = b"\0asm\x0d\0\x01\0 truncated garbage".to_vec();
    let truncated = v2[..v2.len() / 3].to_vec();

    // A third of the replacements are broken, after v1 and after v2; each
    // valid one differs from the valid one before it. Renames and rewrites alternate.
    let broken: [(&str, &[u8]); 3] = [("garbage", &garbage), ("bad-api", &bad_api), ("truncated", &truncated)];
    let mut broken = broken.into_iter().cycle();
    let mut plan: Vec<(&str, &[u8], Write)> = Vec::new();
    for i in 0..REPLACEMENTS {
        let how = if i % 2 == 0 { Write::Rename } else { Write::Rewrite };
        let (name, bytes): (&str, &[u8]) = match i % 6 {
            0 | 3 => ("v2", &v2),
            2 | 4 => ("v1", &v1),
            _ => broken.next().unwrap(),
        };
        plan.push((name, bytes, how));
    }
    let last_valid = plan.iter().rev().find(|(name, _, _)| VALID.contains(name)).unwrap().0;

    let servers: Vec<McpClient> = (0..SERVERS).map(|_| server(plugins.path())).collect();
    let swapping_done = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let seen: Mutex<std::collections::BTreeMap<String, usize>> = Mutex::default();
    let started = Instant::now();

    std::thread::scope(|scope| {
        for client in &servers {
            for _ in 0..CALLERS_PER_SERVER {
                scope.spawn(|| {
                    let mut mine = 0;
                    while (mine < MIN_CALLS_PER_CALLER || !swapping_done.load(Ordering::SeqCst))
                        && started.elapsed() < limit
                    {
                        let result = client.call_tool("versioned_served_by", json!({ "hold_ms": 5 }));
                        mine += 1;
                        calls.fetch_add(1, Ordering::SeqCst);
                        if result["isError"] == true {
                            failures.lock().unwrap().push(result_text(&result));
                            continue;
                        }
                        let version = result_json(&result)["version"].as_str().unwrap_or("?").to_string();
                        if !VALID.contains(&version.as_str()) {
                            failures.lock().unwrap().push(format!("served by {version}"));
                        }
                        *seen.lock().unwrap().entry(version).or_default() += 1;
                    }
                });
            }
        }
        scope.spawn(|| {
            for (name, bytes, how) in &plan {
                replace(&target, bytes, *how);
                // Long enough for a watcher step to settle on it, short
                // enough that some files are replaced before they are read.
                std::thread::sleep(Duration::from_millis(if VALID.contains(name) { 350 } else { 250 }));
            }
            swapping_done.store(true, Ordering::SeqCst);
        });
    });
    let elapsed = started.elapsed();

    let calls = calls.load(Ordering::SeqCst);
    let failures = failures.into_inner().unwrap();
    let seen = seen.into_inner().unwrap();
    let logs: Vec<String> = servers.iter().map(|s| s.stderr()).collect();
    let swaps: usize = logs.iter().map(|l| l.matches("now serves 'versioned'").count()).sum();
    let rejections: usize = logs.iter().map(|l| l.matches("hot swap: rejected").count()).sum();
    eprintln!(
        "swap under load: {calls} calls from {} clients in {elapsed:?}, {} failed; served by {seen:?}; \
         {REPLACEMENTS} replacements ({} broken); {swaps} swaps and {rejections} rejections logged by {SERVERS} servers",
        SERVERS * CALLERS_PER_SERVER,
        failures.len(),
        plan.iter().filter(|(name, _, _)| !VALID.contains(name)).count(),
    );
    for reason in ["is not a WebAssembly component", "is not a valid component", "targets kosmo:integration@9.9.9"] {
        let count: usize = logs
            .iter()
            .flat_map(|l| l.lines())
            .filter(|l| l.contains("hot swap: rejected") && l.contains(reason))
            .count();
        eprintln!("  rejected: {reason}: {count}");
    }
    assert!(elapsed < limit, "the load ran into its time limit");
    assert!(calls >= 500, "{calls} calls");
    assert!(
        failures.is_empty(),
        "{} failed calls, e.g. {:?}\n{}",
        failures.len(),
        &failures[..3.min(failures.len())],
        logs.join("\n")
    );
    assert!(VALID.iter().all(|v| seen.contains_key(*v)), "both versions served: {seen:?}");
    assert!(swaps >= SERVERS * 4, "the servers swapped versions:\n{}", logs.join("\n"));
    assert!(rejections >= SERVERS, "broken replacements were rejected:\n{}", logs.join("\n"));

    // The last replacement is valid: every server comes to serve it.
    for client in &servers {
        time_until_served(client, last_valid, SWAP_DEADLINE);
    }
}

/// Notifications wake the watcher at once: with polling every 10 s, a
/// replacement still serves within moments, a file still being written is
/// not read before it is closed, and a removal unregisters the id.
#[test]
fn notifications_wake_the_watcher_long_before_the_polling_interval() {
    let plugins = plugin_dir(&[]);
    let target = plugins.path().join("versioned.wasm");
    std::fs::copy(versioned_plugin("v1"), &target).unwrap();
    let client = server_with(plugins.path(), &["--watch-interval-ms", "10000"]);
    assert_eq!(served_by(&client, 0), "v1");
    // The interval's first tick is immediate; let it pass.
    std::thread::sleep(Duration::from_millis(200));

    replace(&target, &std::fs::read(versioned_plugin("v2")).unwrap(), Write::Rename);
    // Before the next polling tick (10 s), and read because a notification said so.
    let took = time_until_served(&client, "v2", NOTIFIED_DEADLINE);
    eprintln!("v1 -> v2 (rename, notified): served after {took:?}");
    assert!(client.wait_for_log("(notified complete)", SWAP_DEADLINE), "{}", client.stderr());

    // Written in two halves with a pause shorter than the quiet period, then
    // closed: read once, whole.
    let v1 = std::fs::read(versioned_plugin("v1")).unwrap();
    {
        use std::io::Write as _;
        let mut file = std::fs::File::create(&target).unwrap();
        file.write_all(&v1[..v1.len() / 2]).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        file.write_all(&v1[v1.len() / 2..]).unwrap();
    }
    let took = time_until_served(&client, "v1", NOTIFIED_DEADLINE);
    eprintln!("v2 -> v1 (rewrite, notified): served after {took:?}");
    assert!(!client.stderr().contains("hot swap: rejected"), "a half-written file was read:\n{}", client.stderr());

    std::fs::remove_file(&target).unwrap();
    let started = Instant::now();
    while client.list_tools().iter().any(|t| t["name"] == "versioned_served_by") {
        assert!(started.elapsed() < NOTIFIED_DEADLINE, "{}", client.stderr());
        std::thread::sleep(Duration::from_millis(10));
    }
    let (code, log) = client.close();
    assert_eq!(code, Some(0), "the server and its watcher stop when the client goes away:\n{log}");
}

/// A burst of events for one replacement (a rename, then the same bytes
/// written again and again, and touched) is one swap: identical bytes are
/// never compiled or swapped in again.
#[test]
fn a_burst_of_events_swaps_once() {
    let plugins = plugin_dir(&[]);
    let target = plugins.path().join("versioned.wasm");
    std::fs::copy(versioned_plugin("v1"), &target).unwrap();
    let client = server_with(plugins.path(), &[]);
    assert_eq!(served_by(&client, 0), "v1");
    // The start-up log may reach the test after the first answer.
    assert!(client.wait_for_log("loaded 'versioned' v1", SWAP_DEADLINE), "{}", client.stderr());
    let loads_at_start = loads(&client.stderr());

    let v2 = std::fs::read(versioned_plugin("v2")).unwrap();
    replace(&target, &v2, Write::Rename);
    for i in 0..30 {
        replace(&target, &v2, if i % 2 == 0 { Write::Rewrite } else { Write::Rename });
        if i % 5 == 0 {
            std::fs::File::options()
                .append(true)
                .open(&target)
                .unwrap()
                .set_modified(std::time::SystemTime::now())
                .unwrap();
        }
    }
    time_until_served(&client, "v2", SWAP_DEADLINE);
    assert!(client.wait_for_log("now serves 'versioned' v2", SWAP_DEADLINE), "{}", client.stderr());
    let changed = "notifications/tools/list_changed";
    assert!(client.wait_for_notification(changed, SWAP_DEADLINE), "{:?}", client.notifications());
    // Long enough for polling to have seen the last state too.
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(served_by(&client, 0), "v2");

    let log = client.stderr();
    assert_eq!(log.matches("now serves 'versioned' v2").count(), 1, "{log}");
    assert_eq!(loads(&log) - loads_at_start, 1, "v2 was compiled or read from the cache once:\n{log}");
    let changes = client.notifications().iter().filter(|n| n["method"] == "notifications/tools/list_changed").count();
    assert_eq!(changes, 1, "{:?}", client.notifications());
}

/// Compiles and compile-cache reads of the versioned plugin in a server log.
fn loads(log: &str) -> usize {
    log.matches("compiled versioned.wasm in").count()
        + log.matches("loaded versioned.wasm from the compile cache").count()
}
