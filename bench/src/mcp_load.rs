//! Throughput of `kosmo mcp:serve` under concurrent load: `get_current_user`
//! calls against the simulator, compared with the same load of plain HTTP
//! GETs and with one client at a time, in the same run.
//!
//! The server speaks MCP on stdio only, so "8 clients" are 8 threads sharing
//! one session, each with one request in flight at a time: up to 8 requests
//! pipelined over the one stdio stream, answered in any order (matched by id).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kosmo_harness::mcp::{McpClient, result_json};
use kosmo_harness::mcp_http::{HttpServer, HttpSession};
use kosmo_harness::{Sim, kosmo_on};
use serde_json::json;

use crate::measure::{median, plain_get};
use crate::report::Row;

const ENDPOINT: &str = "/restapi/v1.0/account/~/extension/~";
const TOOL: &str = "ringcentral_get_current_user";

/// Calls per second and the median latency of one call, in milliseconds.
struct Throughput {
    per_second: f64,
    median_ms: f64,
}

pub fn mcp_load(sim: &Sim, plugins: &Path, clients: usize, duration: Duration) -> Vec<Row> {
    let (client, _) = McpClient::start(kosmo_on(sim, plugins), &[]);
    // Warm up: the compile cache, the first instantiation, the simulator.
    for _ in 0..20 {
        call(&client);
    }
    let one = run(1, duration, || call(&client));
    let many = run(clients, duration, || call(&client));
    let (code, log) = client.close();
    assert_eq!(code, Some(0), "the server did not exit cleanly:\n{log}");

    let url = format!("{}{ENDPOINT}", sim.url);
    // One keep-alive agent with a connection per client, as kosmo's gate keeps its pool.
    let agent: ureq::Agent = ureq::Agent::config_builder().max_idle_connections_per_host(clients).build().into();
    let plain = run(clients, duration, || plain_get(&agent, &url));

    vec![
        Row {
            what: format!(
                "`mcp:serve` calls/s, {clients} concurrent clients (threads sharing one stdio session, one request in flight each)"
            ),
            figure: format!(
                "{:.0} calls/s, median {:.2} ms a call ({:.1}× the {:.0} calls/s of 1 client, median {:.2} ms)",
                many.per_second,
                many.median_ms,
                many.per_second / one.per_second,
                one.per_second,
                one.median_ms
            ),
            target: "–".into(),
            met: None,
        },
        Row {
            what: format!(
                "… against {clients} concurrent plain GETs of the same endpoint (keep-alive, as kosmo's gate)"
            ),
            figure: format!(
                "{:.0} requests/s, median {:.2} ms; `mcp:serve` reaches {:.0}% of it",
                plain.per_second,
                plain.median_ms,
                100.0 * many.per_second / plain.per_second
            ),
            target: "–".into(),
            met: None,
        },
    ]
}

/// `mcp:serve --http`: `clients` sessions of their own (one keep-alive
/// connection and one request in flight each), then one.
pub fn mcp_http_load(sim: &Sim, plugins: &Path, clients: usize, duration: Duration) -> Vec<Row> {
    let server = HttpServer::start(kosmo_on(sim, plugins), &[]);
    let sessions: Vec<HttpSession> = (0..clients).map(|_| HttpSession::open(&server)).collect();
    for _ in 0..20 {
        http_call(&sessions[0]);
    }
    let next = AtomicUsize::new(0);
    // Each worker thread takes a session of its own.
    let many = run_sessions(&sessions, &next, duration);
    let one = run(1, duration, || http_call(&sessions[0]));
    drop(sessions);
    server.stop();
    vec![Row {
        what: format!(
            "`mcp:serve --http` calls/s, {clients} concurrent clients (a 2025-11-25 session and keep-alive connection each, one request in flight)"
        ),
        figure: format!(
            "{:.0} calls/s, median {:.2} ms a call ({:.1}× the {:.0} calls/s of 1 client, median {:.2} ms)",
            many.per_second,
            many.median_ms,
            many.per_second / one.per_second,
            one.per_second,
            one.median_ms
        ),
        target: "–".into(),
        met: None,
    }]
}

fn run_sessions(sessions: &[HttpSession], next: &AtomicUsize, duration: Duration) -> Throughput {
    let calls = AtomicUsize::new(0);
    let started = Instant::now();
    let latencies: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..sessions.len())
            .map(|_| {
                scope.spawn(|| {
                    let session = &sessions[next.fetch_add(1, Ordering::Relaxed)];
                    let mut mine = Vec::new();
                    while started.elapsed() < duration {
                        let call_started = Instant::now();
                        http_call(session);
                        mine.push(call_started.elapsed().as_secs_f64() * 1000.0);
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a load thread")).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    Throughput { per_second: calls.load(Ordering::Relaxed) as f64 / elapsed, median_ms: median(latencies) }
}

fn http_call(session: &HttpSession) {
    let result = session.call_tool(TOOL, json!({}));
    assert_ne!(result["isError"], true, "{result}");
    assert_eq!(result["structuredContent"]["extensionNumber"], "101", "{result}");
}

/// Runs `work` in `workers` threads for `duration`; every call must succeed.
fn run(workers: usize, duration: Duration, work: impl Fn() + Sync) -> Throughput {
    let calls = AtomicUsize::new(0);
    let started = Instant::now();
    let latencies: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    while started.elapsed() < duration {
                        let call_started = Instant::now();
                        work();
                        mine.push(call_started.elapsed().as_secs_f64() * 1000.0);
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a load thread")).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    Throughput { per_second: calls.load(Ordering::Relaxed) as f64 / elapsed, median_ms: median(latencies) }
}

fn call(client: &McpClient) {
    let result = client.call_tool(TOOL, json!({}));
    assert_ne!(result["isError"], true, "{result}");
    assert_eq!(result_json(&result)["extensionNumber"], "101", "{result}");
}
