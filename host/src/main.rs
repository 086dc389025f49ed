//! `kosmo`: runs sandboxed integration plugins for Lua scripts and the shell.

mod allowlist;
mod audit;
mod auth;
mod builtin;
mod cache;
mod call_failure;
mod caps;
mod commands;
mod config;
mod confirm;
mod connections;
mod credentials;
mod envelope;
mod gate;
mod host;
mod journal;
mod log;
mod lua;
mod mcp;
mod mcp_client;
mod mcp_media;
mod media;
mod pacing;
mod permission;
mod profile;
mod registry;
mod runtime;
mod shared_state;
mod untrusted_text;
mod writes;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kosmo",
    version,
    about = "Run sandboxed WebAssembly integrations (RingCentral) from Lua scripts and the shell.",
    after_help = configuration_help()
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn configuration_help() -> String {
    format!(
        "Configuration: KOSMO_PLUGIN_DIR (plugin directory), KOSMO_CONFIG (config file), {}, \
KOSMO_ALLOW_LOOPBACK_SERVER=1 (allow a local simulator), KOSMO_CACHE_DIR (compiled plugins; `off` disables), \
KOSMO_LOG=debug (compile, cache and hot-swap timings on stderr). See README.md.",
        profile::RINGCENTRAL.env.all().join(", ")
    )
}

#[derive(Subcommand)]
enum Command {
    /// Run a Lua script with app.integrations.*, app.mcp.*, mcp.*, docs.*, json.*, regex.*.
    #[command(name = "integrations:lua")]
    IntegrationsLua(commands::lua::LuaArgs),
    /// List the loaded integrations, their functions and accounts.
    #[command(name = "integrations:list")]
    IntegrationsList(commands::catalog::ListArgs),
    /// Print an integration's docs, or one function's page.
    #[command(name = "integrations:docs")]
    IntegrationsDocs(commands::catalog::DocsArgs),
    /// Print the JSON Schema of a function's arguments.
    #[command(name = "integrations:schema")]
    IntegrationsSchema(commands::catalog::SchemaArgs),
    /// Call one function with JSON arguments.
    #[command(name = "integrations:call")]
    IntegrationsCall(commands::call::CallArgs),
    /// Serve every plugin's tools over the Model Context Protocol on stdio, hot-swapping replaced plugins.
    #[command(name = "mcp:serve")]
    McpServe(commands::mcp::ServeArgs),
    /// Run a Lua script with app.mcp.*, mcp.*, json.*, regex.* (the configured MCP servers only).
    #[command(name = "mcp:lua")]
    McpLua(commands::mcp_lua::McpLuaArgs),
    /// List the configured MCP servers and their tools.
    #[command(name = "mcp:list")]
    McpList(commands::mcp_lua::ListArgs),
    /// Show a plugin file's manifest, WIT world and tools, and whether kosmo would load it.
    #[command(name = "plugin:inspect")]
    PluginInspect(commands::inspect::InspectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One-shot commands run one script or call at a time: a single thread
    // spares them cross-thread wake-ups. The MCP server serves clients in parallel.
    let mut builder = match cli.command {
        Command::McpServe(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            log::failure(format!("cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::IntegrationsLua(args) => commands::lua::run(args).await,
            Command::IntegrationsList(args) => commands::catalog::list(args).await,
            Command::IntegrationsDocs(args) => commands::catalog::docs(args).await,
            Command::IntegrationsSchema(args) => commands::catalog::schema(args).await,
            Command::IntegrationsCall(args) => commands::call::run(args).await,
            Command::McpServe(args) => commands::mcp::serve(args).await,
            Command::PluginInspect(args) => commands::inspect::run(args).await,
            Command::McpLua(args) => commands::mcp_lua::run(args).await,
            Command::McpList(args) => commands::mcp_lua::list(args).await,
        }
    })
}
