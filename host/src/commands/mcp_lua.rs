//! `kosmo mcp:lua`: a script that reaches only the configured MCP servers
//! (`app.mcp`, `mcp`, `json`, `regex`, `print`/`dump`; no plugins, no
//! `docs`), with the envelope and exit codes of `integrations:lua`; and
//! `kosmo mcp:list`, the servers and their tools from the shell.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::lua::{echo, fail, positive_seconds, read_script, report, start_watchdog};
use super::{pretty_json, write_stdout};
use crate::config::Settings;
use crate::host::CallOptions;
use crate::lua::{self, LuaLimits, Surface};
use crate::mcp_client::McpServers;

#[derive(Args)]
#[command(after_help = "Code comes from --eval, else FILE, else standard input when it is not a terminal.\n\
Exit status: 0 success, 1 script or tool error, 2 no code given.\n\
Servers are configured under [mcp.servers.<name>] in the config file (or an mcpServers JSON file: \
[mcp] servers_json, or KOSMO_MCP_SERVERS_JSON); they run with your rights, outside kosmo's sandbox.\n\n\
Examples:\n  \
kosmo mcp:lua --eval 'dump(mcp.servers())' --json\n  \
kosmo mcp:lua --eval 'dump(app.mcp.files.read_file({path = \"notes.txt\"}))'")]
pub struct McpLuaArgs {
    /// Lua file to run.
    file: Option<PathBuf>,
    /// Lua code to run (takes priority over FILE).
    #[arg(short = 'e', long = "eval", value_name = "CODE")]
    eval: Option<String>,
    /// Print one JSON envelope: success, output, error, result, timings, integration_calls, meta.
    #[arg(long)]
    json: bool,
    /// Allow calls whose permission is `ask` (writes, by default). `deny` still holds.
    #[arg(long)]
    force: bool,
    /// Lua memory limit in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20, value_parser = clap::value_parser!(usize))]
    memory_limit: usize,
    /// Lua time limit in seconds (MCP calls included).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = positive_seconds)]
    cpu_limit: f64,
}

#[derive(Args)]
pub struct ListArgs {
    /// Print JSON: the servers, each with its tools (or the error that kept them from listing).
    #[arg(long)]
    json: bool,
}

fn load_servers() -> Result<McpServers, String> {
    Ok(McpServers::new(Settings::load()?.mcp_servers()))
}

pub async fn run(args: McpLuaArgs) -> ExitCode {
    let limits = LuaLimits { memory_bytes: args.memory_limit, cpu: Duration::from_secs_f64(args.cpu_limit) };
    let script = match read_script(args.eval.as_deref(), args.file.as_deref(), &[]) {
        Ok(Some(script)) => script,
        Ok(None) => return fail(args.json, "provide a Lua file, --eval code, or pipe Lua code on stdin.", 2),
        Err(message) => return fail(args.json, &message, 1),
    };
    let servers = match load_servers() {
        Ok(servers) => Arc::new(servers),
        Err(message) => return fail(args.json, &message, 1),
    };
    start_watchdog(limits, args.json);
    let execution = lua::run_on(
        Surface::Mcp(servers.clone()),
        script,
        limits,
        CallOptions { force: args.force, ..CallOptions::default() },
        echo(args.json),
    )
    .await;
    servers.shutdown().await;
    report(&execution, args.json);
    if execution.error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Every configured server with its tools; a server that cannot list them
/// shows why, and makes the exit status 1.
pub async fn list(args: ListArgs) -> ExitCode {
    let servers = match load_servers() {
        Ok(servers) => servers,
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    let rows = match servers.describe() {
        Ok(serde_json::Value::Array(rows)) => rows,
        Ok(_) => Vec::new(),
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    let mut listed = Vec::new();
    let mut text = String::new();
    for mut row in rows {
        let name = row["name"].as_str().unwrap_or_default().to_string();
        let enabled = row["enabled"].as_bool().unwrap_or(false);
        let target = row["url"].as_str().map(str::to_string).unwrap_or_else(|| {
            let args: Vec<&str> = row["args"].as_array().into_iter().flatten().filter_map(|a| a.as_str()).collect();
            format!("{} {}", row["command"].as_str().unwrap_or_default(), args.join(" ")).trim_end().to_string()
        });
        text.push_str(&format!(
            "{name} ({}: {target}) read={} write={}{}\n",
            row["type"].as_str().unwrap_or_default(),
            row["permissions"]["read"].as_str().unwrap_or_default(),
            row["permissions"]["write"].as_str().unwrap_or_default(),
            if enabled { "" } else { " disabled" }
        ));
        if enabled {
            match servers.tool_rows(Some(&name)).await {
                Ok(tools) => {
                    for tool in tools.as_array().into_iter().flatten() {
                        text.push_str(&format!(
                            "  {:<40} {:<5} {}\n",
                            tool["lua_path"].as_str().unwrap_or_default(),
                            tool["operation"].as_str().unwrap_or_default(),
                            first_line(tool["description"].as_str().unwrap_or_default())
                        ));
                    }
                    row["tools"] = tools;
                }
                Err(error) => {
                    failed = true;
                    text.push_str(&format!("  error: {error}\n"));
                    row["error"] = serde_json::Value::String(error);
                }
            }
        }
        listed.push(row);
    }
    servers.shutdown().await;
    if args.json {
        write_stdout(&format!("{}\n", pretty_json(&listed)));
    } else if listed.is_empty() {
        write_stdout("No MCP servers configured: add [mcp.servers.<name>] to the config file (see README.md).\n");
    } else {
        write_stdout(&text);
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
