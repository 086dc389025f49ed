//! `ringcentral-sim`: a stateful local simulator of the RingCentral REST API.

mod app;
mod auth;
mod clock;
mod control;
mod dataset;
mod errors;
mod extract;
mod fault_queue;
mod faults;
mod limiter;
mod list_query;
mod mailbox;
mod media;
mod multipart;
mod oauth;
mod paging;
mod platform;
mod records;
mod request_log;
mod routes;
mod sessions;
mod state;
mod store;
mod throttle;
mod wire;

use std::io::{Read, Write};
use std::net::SocketAddr;

use anyhow::{Context, bail};
use clap::Parser;
use jiff::Timestamp;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::state::AppState;

/// A local RingCentral REST API with a seeded account, for demos and tests.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Accepted bearer token; repeat to accept several.
    #[arg(long = "token", value_name = "TOKEN", default_value = "sim-token")]
    tokens: Vec<String>,
    /// Seed of the generated dataset.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Pin the start time (RFC 3339) the dataset is relative to; default now.
    #[arg(long, value_name = "TIMESTAMP")]
    start_time: Option<Timestamp>,
    /// Exit when standard input is closed, so the simulator dies with its parent.
    #[arg(long)]
    exit_on_stdin_eof: bool,
    /// Allow listening on an address other than loopback.
    #[arg(long)]
    allow_non_loopback: bool,
    #[command(flatten)]
    platform: platform::PlatformArgs,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !args.addr.ip().is_loopback() && !args.allow_non_loopback {
        bail!("refusing to listen on non-loopback address {} (pass --allow-non-loopback)", args.addr);
    }
    if args.tokens.iter().any(|t| t.trim().is_empty()) {
        bail!("--token must not be empty");
    }

    let listener = TcpListener::bind(args.addr).await.with_context(|| format!("binding {}", args.addr))?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let clock = Clock::new(args.start_time.unwrap_or_else(Timestamp::now));
    let store = dataset::generate(args.seed, clock.start(), &base_url);
    let platform = platform::Platform::new(&args.platform)?;
    faults::silence_dropped_connections();
    let app = app::router(AppState::new(store, clock, args.tokens, args.seed, platform));

    // Tests read this first line to learn the port, so it goes out before anything else.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {base_url}")?;
    stdout.flush()?;

    axum::serve(listener, app).with_graceful_shutdown(shutdown(args.exit_on_stdin_eof)).await?;
    Ok(())
}

/// Resolves on SIGINT, SIGTERM, or (when asked) the end of standard input.
async fn shutdown(watch_stdin: bool) {
    let stdin_closed = async {
        if watch_stdin {
            stdin_eof().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated() => {}
        () = stdin_closed => {}
    }
}

#[cfg(unix)]
async fn terminated() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending().await
}

/// Reads stdin to its end on a plain thread: tokio's stdin would keep the runtime
/// waiting on a blocking read at shutdown.
async fn stdin_eof() {
    let (done, closed) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = done.send(());
    });
    let _ = closed.await;
}
