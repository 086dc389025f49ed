//! `kosmo`: runs sandboxed integration plugins for Lua scripts and the shell.

mod auth;
mod config;
mod credentials;
mod envelope;
mod gate;
mod host;
mod lua;
mod permission;
mod plugins;
mod runtime;
mod suggest;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kosmo",
    version,
    about = "Run sandboxed WebAssembly integrations (RingCentral) from Lua and the shell."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Lua script with app.integrations.* available.
    #[command(name = "integrations:lua")]
    IntegrationsLua(LuaArgs),
}

#[derive(Args)]
#[command(after_help = "Code comes from --eval, else FILE, else standard input when it is not a terminal.\n\
Exit status: 0 success, 1 script or tool error, 2 no code given.\n\n\
Environment: KOSMO_PLUGIN_DIR (plugin directory), RC_SERVER_URL, RC_ACCESS_TOKEN,\n\
KOSMO_ALLOW_LOOPBACK_SERVER=1 (allow a local simulator as RC_SERVER_URL).\n\n\
Example:\n  kosmo integrations:lua --eval 'dump(app.integrations.ringcentral.list_messages({perPage = 5}))' --json")]
struct LuaArgs {
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
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20)]
    memory_limit: usize,
    /// Lua CPU limit in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    cpu_limit: f64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("kosmo: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::IntegrationsLua(args) => runtime.block_on(integrations_lua(args)),
    }
}

async fn integrations_lua(args: LuaArgs) -> ExitCode {
    let script = match read_script(&args) {
        Ok(Some(script)) => script,
        Ok(None) => {
            eprintln!("kosmo: provide a Lua file, --eval code, or pipe Lua code on stdin.");
            return ExitCode::from(2);
        }
        Err(message) => {
            eprintln!("kosmo: {message}");
            return ExitCode::FAILURE;
        }
    };
    if !(args.cpu_limit.is_finite() && args.cpu_limit > 0.0) {
        eprintln!("kosmo: --cpu-limit must be a positive number of seconds");
        return ExitCode::from(2);
    }
    let host = match load_host().await {
        Ok(host) => Arc::new(host),
        Err(message) => {
            eprintln!("kosmo: {message}");
            return ExitCode::FAILURE;
        }
    };
    let limits = lua::LuaLimits { memory_bytes: args.memory_limit, cpu: Duration::from_secs_f64(args.cpu_limit) };
    let execution = lua::run(host, script, limits, args.force).await;

    let mut stdout = String::new();
    if args.json {
        stdout.push_str(&envelope::render(&execution));
        stdout.push('\n');
    } else {
        for line in &execution.output {
            stdout.push_str(line);
            stdout.push('\n');
        }
        if execution.error.is_none() && !execution.result.is_empty() {
            let shown =
                if execution.result.len() == 1 { &execution.result[0] } else { &serde_json::json!(execution.result) };
            match shown {
                serde_json::Value::String(text) => stdout.push_str(text),
                other => stdout.push_str(&serde_json::to_string_pretty(other).unwrap_or_default()),
            }
            stdout.push('\n');
        }
    }
    write_stdout(&stdout);
    if let (false, Some(error)) = (args.json, &execution.error) {
        eprintln!("error: {error}");
    }
    if execution.error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn read_script(args: &LuaArgs) -> Result<Option<lua::Script>, String> {
    if let Some(code) = args.eval.as_ref().filter(|c| !c.trim().is_empty()) {
        return Ok(Some(lua::Script { code: code.clone(), chunk_name: "eval".into() }));
    }
    if let Some(path) = &args.file {
        let code =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read Lua file {}: {e}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "script.lua".into());
        return Ok(Some(lua::Script { code, chunk_name: name }));
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut code = String::new();
        stdin.lock().read_to_string(&mut code).map_err(|e| format!("cannot read standard input: {e}"))?;
        if !code.trim().is_empty() {
            return Ok(Some(lua::Script { code, chunk_name: "stdin".into() }));
        }
    }
    Ok(None)
}

async fn load_host() -> Result<host::Host, String> {
    let runtime =
        runtime::Runtime::new(runtime::CallLimits::default()).map_err(|e| format!("cannot start wasmtime: {e:#}"))?;
    let dir = config::plugin_dir();
    let plugins = plugins::load_dir(&runtime, &dir).await;
    if plugins.is_empty() {
        eprintln!("kosmo: warning: no plugins loaded from {} (set KOSMO_PLUGIN_DIR)", dir.display());
    }
    let settings = config::Settings::load()?;
    Ok(host::Host { runtime, plugins, settings })
}
