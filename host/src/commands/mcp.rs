//! `kosmo mcp:serve`: a long-running Model Context Protocol server on stdio
//! (or Streamable HTTP with `--http`), serving every plugin of the plugin
//! directory and swapping in a plugin file the moment it is replaced.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use rmcp::ServiceExt;

use super::new_runtime;
use crate::config::{DEFAULT_ACCOUNT, Settings};
use crate::host::Host;
use crate::log;
use crate::mcp::KosmoMcp;
use crate::mcp::http::{self, HttpOptions};

#[derive(Args)]
#[command(after_help = "Speaks MCP (JSON-RPC) on standard input and output; logs go to standard error.\n\
Tools are named <integration>_<tool>, e.g. ringcentral_list_messages.\n\n\
Example client configuration:\n  \
{\"mcpServers\": {\"kosmo\": {\"command\": \"kosmo\", \"args\": [\"mcp:serve\"],\n    \
\"env\": {\"KOSMO_PLUGIN_DIR\": \"/path/to/plugins\", \"RC_ACCESS_TOKEN\": \"...\"}}}}")]
pub struct ServeArgs {
    /// Named account from the config file that every call runs for.
    #[arg(long, default_value = DEFAULT_ACCOUNT)]
    account: String,
    /// Allow calls whose permission is `ask` (writes, by default) without
    /// asking. Without it, a client with elicitation is asked to confirm each
    /// such call; one without is refused. `deny` still holds.
    #[arg(long)]
    force: bool,
    /// How long a confirmation waits for the user before it counts as cancelled.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    confirm_timeout: u64,
    /// Serve the plugins as loaded at start; do not watch the directory.
    #[arg(long)]
    no_watch: bool,
    /// How often the plugin directory is polled for replaced files;
    /// filesystem notifications wake the watcher sooner where they work.
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(10..=10_000))]
    watch_interval_ms: u64,
    /// Watch by polling alone, without filesystem notifications.
    #[arg(long)]
    poll_only: bool,
    /// Serve MCP over Streamable HTTP at http://ADDR/mcp (e.g. 127.0.0.1:8931; port 0 picks one)
    /// instead of stdio. Clients send `Authorization: Bearer $KOSMO_MCP_TOKEN`.
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// With --http: a browser origin allowed besides the server's own (e.g. https://app.example:443); repeatable.
    #[arg(long, value_name = "ORIGIN", requires = "http")]
    allow_origin: Vec<String>,
    /// With --http: allow a non-loopback address. kosmo speaks plain HTTP: put a TLS proxy in front.
    #[arg(long, requires = "http")]
    allow_remote: bool,
}

pub async fn serve(args: ServeArgs) -> ExitCode {
    // Checked before anything loads: a server without a token never listens.
    let token = match args.http.map(|_| http::token_from_env()).transpose() {
        Ok(token) => token,
        Err(message) => return fail(&message),
    };
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(message) => return fail(&message),
    };
    let runtime = match new_runtime() {
        Ok(runtime) => runtime,
        Err(message) => return fail(&message),
    };
    let host = Arc::new(Host::load(runtime, settings).await);
    let catalog = host.catalog();
    let tools: usize = catalog.plugins().iter().map(|p| p.tools.len()).sum();
    let ids: Vec<String> = catalog.plugins().iter().map(|p| format!("{} {}", p.id(), p.manifest.version)).collect();
    log::info(format!(
        "mcp:serve: {tools} tools from {} ({}) in {}; {}",
        if ids.is_empty() { "no plugins".to_string() } else { format!("{} plugin(s)", ids.len()) },
        ids.join(", "),
        host.registry.dir().display(),
        if args.no_watch {
            "not watching for changes".to_string()
        } else {
            format!(
                "watching for replaced plugins ({}every {} ms)",
                if args.poll_only { "" } else { "notifications, and " },
                args.watch_interval_ms
            )
        }
    ));
    drop(catalog);

    if let (Some(addr), Some(token)) = (args.http, token) {
        let options = HttpOptions { addr, allowed_origins: args.allow_origin.clone(), allow_remote: args.allow_remote };
        return serve_http(host, args, options, token).await;
    }

    let handler = KosmoMcp::new(host.clone(), args.account, args.force)
        .with_confirm_timeout(Duration::from_secs(args.confirm_timeout));
    let running = match handler.serve(rmcp::transport::stdio_pipes()).await {
        Ok(running) => running,
        Err(e) => return fail(&format!("the MCP session did not start: {e}")),
    };

    let watcher = (!args.no_watch).then(|| {
        let peer = running.peer().clone();
        let interval = Duration::from_millis(args.watch_interval_ms);
        host.registry.clone().watch(host.runtime.clone(), interval, !args.poll_only, move || {
            let peer = peer.clone();
            tokio::spawn(async move {
                if let Err(e) = peer.notify_tool_list_changed().await {
                    log::debug(format!("mcp: could not send tools/list_changed: {e}"));
                }
            });
        })
    });
    let ended = running.waiting().await;
    if let Some(watcher) = watcher {
        watcher.abort();
    }
    match ended {
        Ok(reason) => {
            log::debug(format!("mcp:serve: session ended ({reason:?})"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("the MCP session failed: {e}")),
    }
}

/// `--http`: one [`KosmoMcp`] per session over the same host; the first line of
/// stdout says where it listens.
async fn serve_http(host: Arc<Host>, args: ServeArgs, options: HttpOptions, token: String) -> ExitCode {
    let listener = match http::bind(&options).await {
        Ok(listener) => listener,
        Err(message) => return fail(&message),
    };
    let local = match listener.local_addr() {
        Ok(local) => local,
        Err(e) => return fail(&format!("cannot read the bound address: {e}")),
    };
    if !local.ip().is_loopback() {
        log::warn(format!(
            "mcp:serve: serving plain HTTP on {local}: TLS belongs to a proxy in front of kosmo, and the token is \
             the only guard"
        ));
    }
    super::write_stdout(&format!("listening on http://{local}{}\n", http::PATH));
    let watcher = (!args.no_watch).then(|| {
        let interval = Duration::from_millis(args.watch_interval_ms);
        host.registry.clone().watch(host.runtime.clone(), interval, !args.poll_only, || {
            log::debug("mcp:serve --http: the catalog changed; clients see it at their next tools/list");
        })
    });
    let (account, force) = (args.account, args.force);
    let confirm_timeout = Duration::from_secs(args.confirm_timeout);
    let handler_host = host.clone();
    let served = http::serve(listener, &options, token, move || {
        KosmoMcp::new(handler_host.clone(), account.clone(), force).with_confirm_timeout(confirm_timeout)
    })
    .await;
    if let Some(watcher) = watcher {
        watcher.abort();
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    crate::log::failure(message);
    ExitCode::FAILURE
}
