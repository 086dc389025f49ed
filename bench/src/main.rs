//! `make bench`: measures kosmo side by side with the alternatives, in one
//! run, against the simulator on loopback, prints a table and rewrites
//! BENCHMARKS.md. Figures are ratios of numbers taken in the same run.

mod mcp_load;
mod measure;
mod rate_limits;
mod report;
mod swap;

use std::path::PathBuf;

use kosmo_harness::{Sim, plugin_dir, ringcentral_plugin};

/// Calls per warm-overhead sample.
const WARM_CALLS: usize = 500;
/// Samples per hot-swap figure (cold; twice as many cached).
const SWAP_SAMPLES: usize = 10;
/// Concurrent MCP clients, and how long each load runs.
const MCP_CLIENTS: usize = 8;
const MCP_LOAD_TIME: std::time::Duration = std::time::Duration::from_secs(4);
/// Calls of the rate-limit loops (one process; two processes make half each).
const PACED_CALLS: usize = 40;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = std::env::var("KOSMO_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);

    let mut rows = Vec::new();
    eprintln!("bench: warm per-call overhead ({WARM_CALLS} calls each)…");
    rows.extend(measure::warm_overhead(&sim, plugins.path(), WARM_CALLS));
    eprintln!("bench: one-shot process against curl and the Python SDK (hyperfine)…");
    rows.extend(measure::one_shot(&sim, plugins.path(), &python, &root.join("bench/sdk_call.py")));
    eprintln!("bench: peak RSS and plugin size…");
    rows.extend(measure::footprint(&sim, plugins.path()));
    rows.extend(swap::hot_swap(&sim, SWAP_SAMPLES));
    eprintln!("bench: `mcp:serve` under load ({MCP_CLIENTS} clients, 1 client, plain GETs; {MCP_LOAD_TIME:?} each)…");
    rows.extend(mcp_load::mcp_load(&sim, plugins.path(), MCP_CLIENTS, MCP_LOAD_TIME));
    eprintln!("bench: `mcp:serve --http` under load ({MCP_CLIENTS} sessions, 1 session; {MCP_LOAD_TIME:?} each)…");
    rows.extend(mcp_load::mcp_http_load(&sim, plugins.path(), MCP_CLIENTS, MCP_LOAD_TIME));
    eprintln!("bench: {PACED_CALLS} calls under enforced rate limits, kosmo and the Python SDK, 1 and 2 processes…");
    rows.extend(rate_limits::rate_limits(&python, &root.join("bench/sdk_rate_loop.py"), PACED_CALLS));

    let table = report::table(&rows);
    println!("{table}");
    let analysis = std::fs::read_to_string(root.join("bench/analysis.md")).ok();
    let markdown = report::markdown(&rows, &table, analysis.as_deref());
    std::fs::write(root.join("BENCHMARKS.md"), markdown).expect("write BENCHMARKS.md");
    eprintln!("bench: wrote BENCHMARKS.md");
}
