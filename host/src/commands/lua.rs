//! `kosmo integrations:lua`: run a script (or a REPL) and report the outcome,
//! as text or as the JSON envelope.

use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{load_host, write_stdout};
use crate::confirm::terminal::TerminalConfirmer;
use crate::envelope;
use crate::host::{CallOptions, Host};
use crate::lua::{self, Execution, LuaLimits, Script};

/// Extra time past the CPU limit before the watchdog ends the process: a C
/// function (a string pattern, say) runs no Lua instructions for the hook to stop.
const WATCHDOG_GRACE: Duration = Duration::from_secs(3);

#[derive(Args)]
#[command(after_help = "Code comes from --eval, else FILE, else standard input when it is not a terminal.\n\
Exit status: 0 success, 1 script or tool error, 2 no code given.\n\n\
Examples:\n  \
kosmo integrations:lua --eval 'dump(app.integrations.ringcentral.list_messages({perPage = 5}))' --json\n  \
kosmo integrations:lua workflow.lua --force --json\n  \
echo 'print(docs.read(\"ringcentral\"))' | kosmo integrations:lua")]
pub struct LuaArgs {
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
    /// Let every call build its request(s) and send nothing: each call returns
    /// its preview (`request`: method, url, headers, body).
    #[arg(long)]
    dry_run: bool,
    /// Send a write even if an identical one went out in the last 10 minutes.
    #[arg(long)]
    allow_repeat: bool,
    /// How long a `y/N` confirmation on the terminal waits before it cancels.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    confirm_timeout: u64,
    /// Lua memory limit in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20, value_parser = clap::value_parser!(usize))]
    memory_limit: usize,
    /// Lua time limit in seconds (tool calls included).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = positive_seconds)]
    cpu_limit: f64,
    /// Read-eval-print loop: each line runs in a fresh sandbox. Type :quit to leave.
    #[arg(long, conflicts_with_all = ["eval", "file", "json"])]
    repl: bool,
}

pub(super) fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 => Ok(seconds),
        _ => Err(format!("'{text}' is not a number of seconds between 0 and 86400")),
    }
}

pub async fn run(args: LuaArgs) -> ExitCode {
    let limits = LuaLimits { memory_bytes: args.memory_limit, cpu: Duration::from_secs_f64(args.cpu_limit) };
    if args.repl {
        return repl(limits, Duration::from_secs(args.confirm_timeout)).await;
    }
    let script = match read_script(args.eval.as_deref(), args.file.as_deref()) {
        Ok(Some(script)) => script,
        Ok(None) => {
            crate::log::failure("provide a Lua file, --eval code, or pipe Lua code on stdin.");
            return ExitCode::from(2);
        }
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    let host = match load_host().await {
        Ok(host) => Arc::new(host),
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    start_watchdog(limits, args.json);
    let options = CallOptions {
        force: args.force,
        confirmer: TerminalConfirmer::if_interactive(Duration::from_secs(args.confirm_timeout)),
        confirm_timeout: Some(Duration::from_secs(args.confirm_timeout)),
        allow_repeat: args.allow_repeat,
        dry_run: args.dry_run,
        ..CallOptions::default()
    };
    let execution = lua::run(host.clone(), script, limits, options).await;
    host.mcp.shutdown().await;
    report(&execution, args.json);
    if execution.error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

pub(super) fn report(execution: &Execution, json: bool) {
    if json {
        write_stdout(&format!("{}\n", envelope::render(execution)));
        return;
    }
    let mut stdout = String::new();
    for line in &execution.output {
        stdout.push_str(line);
        stdout.push('\n');
    }
    if execution.error.is_none() && !execution.result.is_empty() {
        let shown =
            if execution.result.len() == 1 { execution.result[0].clone() } else { serde_json::json!(execution.result) };
        match shown {
            serde_json::Value::String(text) => stdout.push_str(&text),
            other => stdout.push_str(&serde_json::to_string_pretty(&other).unwrap_or_default()),
        }
        stdout.push('\n');
    }
    write_stdout(&stdout);
    if let Some(error) = &execution.error {
        crate::log::error(error);
    }
}

/// Ends the process if the script outlives its limit inside a C function,
/// where the instruction hook cannot reach it.
pub(super) fn start_watchdog(limits: LuaLimits, json: bool) {
    let after = limits.cpu + WATCHDOG_GRACE;
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let execution = Execution::failed(lua::time_limit_message(limits));
        report(&execution, json);
        crate::mcp_client::children::kill_all();
        std::process::exit(1);
    });
}

pub(super) fn read_script(eval: Option<&str>, file: Option<&Path>) -> Result<Option<Script>, String> {
    if let Some(code) = eval.filter(|c| !c.trim().is_empty()) {
        return Ok(Some(Script { code: code.to_string(), chunk_name: "eval".into() }));
    }
    if let Some(path) = file {
        let code =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read Lua file {}: {e}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "script.lua".into());
        return Ok(Some(Script { code, chunk_name: name }));
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut code = String::new();
        stdin.lock().read_to_string(&mut code).map_err(|e| format!("cannot read standard input: {e}"))?;
        if !code.trim().is_empty() {
            return Ok(Some(Script { code, chunk_name: "stdin".into() }));
        }
    }
    Ok(None)
}

/// One line, one fresh sandbox; writes need a config `allow` or a `y` on the
/// terminal, never `--force`.
async fn repl(limits: LuaLimits, confirm_timeout: Duration) -> ExitCode {
    let host: Arc<Host> = match load_host().await {
        Ok(host) => Arc::new(host),
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    write_stdout("kosmo integration Lua REPL. Type :quit to exit.\n");
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        write_stdout("lua> ");
        let Some(Ok(line)) = lines.next() else { break };
        let line = line.trim();
        if line == ":quit" || line == ":q" {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let script = Script { code: line.to_string(), chunk_name: "repl".into() };
        let options = CallOptions {
            confirmer: TerminalConfirmer::if_interactive(confirm_timeout),
            confirm_timeout: Some(confirm_timeout),
            ..CallOptions::default()
        };
        let execution = lua::run(host.clone(), script, limits, options).await;
        report(&execution, false);
    }
    host.mcp.shutdown().await;
    ExitCode::SUCCESS
}
