//! Hot-swap latency in `kosmo mcp:serve`: the time from a new plugin file
//! being renamed into place to the first answer served by it, with a cold
//! compile and with a compile-cache hit.
//!
//! Every cold sample is a build never seen by the server's compile cache: the
//! plugin with a custom section naming the sample appended, which changes its
//! sha256 (the cache key) and nothing it does. The server log
//! (`KOSMO_LOG=debug`) is checked for the compile or the cache hit each sample
//! claims, and tells how long the load took of the whole.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use kosmo_harness::mcp::{McpClient, result_json};
use kosmo_harness::{Sim, kosmo_on, ringcentral_plugin, versioned_config, versioned_plugin};
use serde_json::json;

use crate::measure::median;
use crate::report::Row;

/// The longest one swap may take before the bench gives up.
const SWAP_LIMIT: Duration = Duration::from_secs(10);
/// Left between samples, so one swap's events are over before the next.
const SETTLE: Duration = Duration::from_millis(200);
/// Targets from the issue.
const COLD_TARGET_MS: f64 = 300.0;
const CACHED_TARGET_MS: f64 = 10.0;

/// How a sample's new version is recognised.
#[derive(Clone, Copy)]
enum Probe {
    /// `versioned_served_by` answers the build that served the call.
    ServedBy,
    /// The RingCentral plugin cannot say which build it is: the server's
    /// `notifications/tools/list_changed`, sent as the new catalog is
    /// published, marks the moment a call would be served by it.
    ListChanged,
}

/// One swap: the latency and what the server log says of the load.
struct Sample {
    latency_ms: f64,
    /// "now serves … after X ms": read, compile or cache load, smoke test.
    load_ms: f64,
    /// "compiled … in X ms" or "loaded … from the compile cache in X ms".
    compile_ms: f64,
    /// The watcher read the file because a notification said it was complete.
    notified: bool,
}

pub fn hot_swap(sim: &Sim, samples: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    let versioned = Subject {
        name: "versioned test plugin",
        file: "versioned.wasm",
        a: std::fs::read(versioned_plugin("v1")).expect("versioned-v1"),
        b: std::fs::read(versioned_plugin("v2")).expect("versioned-v2"),
        probe: Probe::ServedBy,
    };
    let ringcentral_bytes = std::fs::read(ringcentral_plugin()).expect("the RingCentral plugin");
    let ringcentral = Subject {
        name: "RingCentral plugin",
        file: "ringcentral.wasm",
        b: with_custom_section(&ringcentral_bytes, "kosmo-bench-b"),
        a: ringcentral_bytes,
        probe: Probe::ListChanged,
    };
    for subject in [&versioned, &ringcentral] {
        eprintln!("bench: hot swap of the {} ({samples} cold, {} cached samples)…", subject.name, 2 * samples);
        let server = Server::start(sim, subject, &[]);
        let cold: Vec<Sample> = (0..samples)
            .map(|i| {
                let fresh = with_custom_section(&subject.b, &format!("kosmo-bench-cold-{i}-{}", std::process::id()));
                let sample = server.swap(&fresh, "b", Load::Compiled);
                // Back to A (cached) for the next cold sample.
                server.swap(&subject.a, "a", Load::Cached);
                sample
            })
            .collect();
        // B compiled once (not a sample), then A and B both cached: back and forth.
        server.swap(&subject.b, "b", Load::Compiled);
        let cached = server.back_and_forth(subject, 2 * samples);
        server.stop();
        rows.push(row(
            &format!("hot swap, cold compile ({}, {} KB)", subject.name, subject.a.len() / 1024),
            &cold,
            COLD_TARGET_MS,
            subject.probe,
        ));
        rows.push(row(
            &format!("hot swap, compile-cache hit ({})", subject.name),
            &cached,
            CACHED_TARGET_MS,
            subject.probe,
        ));
    }

    // The fallback: the same cached swaps seen by polling alone (the default 100 ms).
    eprintln!("bench: hot swap by polling alone ({samples} cached samples)…");
    let server = Server::start(sim, &versioned, &["--poll-only"]);
    server.swap(&versioned.b, "b", Load::Compiled);
    let polled = server.back_and_forth(&versioned, samples);
    server.stop();
    let mut fallback = row(
        "hot swap, compile-cache hit, `--poll-only` (versioned test plugin)",
        &polled,
        CACHED_TARGET_MS,
        Probe::ServedBy,
    );
    fallback.target = "– (the fallback; 100 ms polling + 50 ms quiet rule)".into();
    fallback.met = None;
    rows.push(fallback);
    rows
}

fn row(what: &str, samples: &[Sample], target_ms: f64, probe: Probe) -> Row {
    let latency = median(samples.iter().map(|s| s.latency_ms).collect());
    let max = samples.iter().map(|s| s.latency_ms).fold(0.0, f64::max);
    let load = median(samples.iter().map(|s| s.load_ms).collect());
    let compile = median(samples.iter().map(|s| s.compile_ms).collect());
    let notified = samples.iter().filter(|s| s.notified).count();
    let probe = match probe {
        Probe::ServedBy => "to the first call answered by the new build",
        Probe::ListChanged => "to tools/list_changed",
    };
    Row {
        what: format!("{what}, median of {}", samples.len()),
        figure: format!(
            "{latency:.1} ms, max {max:.1} ({probe}; of it the load {load:.1} ms, compile or cache read {compile:.1} ms; \
             {notified}/{} read on a notification)",
            samples.len()
        ),
        target: format!("≤ {target_ms:.0} ms"),
        met: Some(latency <= target_ms),
    }
}

struct Subject {
    name: &'static str,
    file: &'static str,
    /// The version served first.
    a: Vec<u8>,
    /// The version swapped in; the cold samples are variants of it.
    b: Vec<u8>,
    probe: Probe,
}

/// What the server log must show for a swap.
#[derive(Clone, Copy, PartialEq)]
enum Load {
    Compiled,
    Cached,
}

struct Server<'a> {
    client: McpClient,
    subject: &'a Subject,
    target: PathBuf,
    _plugins: tempfile::TempDir,
    _cache: tempfile::TempDir,
    /// How much of the server log earlier samples took.
    log_seen: std::cell::Cell<usize>,
    /// Which of A and B is served now.
    serving: std::cell::Cell<&'static str>,
}

impl<'a> Server<'a> {
    /// `kosmo mcp:serve` with debug logs and a compile cache of its own, serving A.
    fn start(sim: &Sim, subject: &'a Subject, args: &[&str]) -> Server<'a> {
        let plugins = tempfile::tempdir().expect("a plugin directory");
        let cache = tempfile::tempdir().expect("a compile cache directory");
        let target = plugins.path().join(subject.file);
        std::fs::write(&target, &subject.a).expect("write version A");
        let mut command: Command = kosmo_on(sim, plugins.path());
        command.env("KOSMO_CACHE_DIR", cache.path()).env("KOSMO_LOG", "debug");
        if matches!(subject.probe, Probe::ServedBy) {
            command.env("KOSMO_CONFIG", versioned_config(cache.path(), ""));
        }
        let (client, _) = McpClient::start(command, args);
        let server = Server {
            client,
            subject,
            target,
            _plugins: plugins,
            _cache: cache,
            log_seen: std::cell::Cell::new(0),
            serving: std::cell::Cell::new("a"),
        };
        server.new_log();
        server
    }

    /// Renames `bytes` over the plugin file and times it until they serve.
    /// `count` swaps between the subject's two builds, both in the cache.
    fn back_and_forth(&self, subject: &Subject, count: usize) -> Vec<Sample> {
        (0..count)
            .map(|i| {
                if i % 2 == 0 {
                    self.swap(&subject.a, "a", Load::Cached)
                } else {
                    self.swap(&subject.b, "b", Load::Cached)
                }
            })
            .collect()
    }

    fn swap(&self, bytes: &[u8], version: &'static str, load: Load) -> Sample {
        assert_ne!(self.serving.get(), version, "a swap changes the version served");
        std::thread::sleep(SETTLE);
        let temp = self.target.with_file_name(".incoming.tmp");
        std::fs::write(&temp, bytes).expect("write the new version");
        let notifications = self.client.notifications().len();
        let renamed = Instant::now();
        std::fs::rename(&temp, &self.target).expect("rename it into place");
        loop {
            let served = match self.subject.probe {
                Probe::ServedBy => {
                    let result = self.client.call_tool("versioned_served_by", json!({}));
                    result_json(&result)["version"] == if version == "a" { "v1" } else { "v2" }
                }
                Probe::ListChanged => self.client.notifications().len() > notifications,
            };
            if served {
                break;
            }
            assert!(renamed.elapsed() < SWAP_LIMIT, "the swap took over {SWAP_LIMIT:?}:\n{}", self.client.stderr());
            if matches!(self.subject.probe, Probe::ListChanged) {
                std::thread::sleep(Duration::from_micros(100));
            }
        }
        let latency_ms = renamed.elapsed().as_secs_f64() * 1000.0;
        self.serving.set(version);
        let log = self.wait_for_swap_log();
        let file = self.subject.file;
        let compiled = log.contains(&format!("compiled {file} in"));
        let cached = log.contains(&format!("loaded {file} from the compile cache"));
        match load {
            Load::Compiled => assert!(compiled && !cached, "this swap should have compiled:\n{log}"),
            Load::Cached => assert!(cached && !compiled, "this swap should have hit the compile cache:\n{log}"),
        }
        let timing = |prefix: &str| logged_ms(&log, prefix).unwrap_or_else(|| panic!("no '{prefix}' logged:\n{log}"));
        Sample {
            latency_ms,
            load_ms: timing("after "),
            compile_ms: match load {
                Load::Compiled => timing(&format!("compiled {file} in ")),
                Load::Cached => timing(&format!("loaded {file} from the compile cache in ")),
            },
            notified: log.contains("(notified complete)"),
        }
    }

    /// The server log since the last sample, once it shows the swap.
    fn wait_for_swap_log(&self) -> String {
        let started = Instant::now();
        loop {
            let log = self.client.stderr();
            let new = &log[self.log_seen.get()..];
            if let Some(end) = new.find("now serves").and_then(|at| new[at..].find('\n').map(|nl| at + nl + 1)) {
                let new = new[..end].to_string();
                self.log_seen.set(self.log_seen.get() + end);
                return new;
            }
            assert!(started.elapsed() < SWAP_LIMIT, "no swap in the log:\n{log}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Skips the log written so far.
    fn new_log(&self) {
        self.log_seen.set(self.client.stderr().len());
    }

    fn stop(self) {
        let (code, log) = self.client.close();
        assert_eq!(code, Some(0), "the server did not exit cleanly:\n{log}");
    }
}

/// The milliseconds logged right after `prefix` ("… {prefix}12.3 ms …"), on
/// the "now serves" line for "after ", else on the first line that has it.
fn logged_ms(log: &str, prefix: &str) -> Option<f64> {
    let line = log.lines().find(|l| l.contains(prefix) && (prefix != "after " || l.contains("now serves")))?;
    let rest = &line[line.rfind(prefix)? + prefix.len()..];
    rest.split(" ms").next()?.parse().ok()
}

/// The component with a custom section appended: other bytes (another
/// sha256, so another compile-cache key), the same behaviour.
pub fn with_custom_section(component: &[u8], name: &str) -> Vec<u8> {
    let mut content = leb128(name.len());
    content.extend_from_slice(name.as_bytes());
    content.extend_from_slice(b"kosmo bench sample");
    let mut out = component.to_vec();
    out.push(0); // custom section id
    out.extend(leb128(content.len()));
    out.extend(content);
    out
}

fn leb128(mut value: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}
