//! `kosmo integrations:lua`: run a script (or a REPL) and report the outcome,
//! as text or as the JSON envelope.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{load_host, write_stdout};
use crate::confirm::terminal::TerminalConfirmer;
use crate::envelope;
use crate::host::CallOptions;
use crate::lua::{self, Execution, LuaLimits, Script};

/// Extra time past the CPU limit before the watchdog ends the process: a C
/// function (a string pattern, say) runs no Lua instructions for the hook to stop.
const WATCHDOG_GRACE: Duration = Duration::from_secs(3);

#[derive(Args)]
#[command(
    after_help = "Code comes from --eval, else FILE (`-` is standard input), else standard input when it is not a terminal.\n\
Arguments after FILE (or after `--`) are the script's: `arg[1]`, ... and `...`; `arg[0]` is FILE.\n\
Exit status: 0 success, 1 script or tool error, 2 no code given or a bad option.\n\n\
Examples:\n  \
kosmo integrations:lua --eval 'dump(app.integrations.ringcentral.list_messages({perPage = 5}))' --json\n  \
kosmo integrations:lua workflow.lua --force --json\n  \
kosmo integrations:lua notify.lua -- +16505550101 \"Build done\"\n  \
echo 'print(docs.read(\"ringcentral\"))' | kosmo integrations:lua"
)]
pub struct LuaArgs {
    /// Lua file to run (`-`: standard input).
    file: Option<PathBuf>,
    /// The script's arguments (`arg[1]`, ... and `...`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
    script_args: Vec<String>,
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
    /// Lua time limit in seconds (tool calls included); in the REPL, of each statement.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = positive_seconds)]
    cpu_limit: f64,
    /// Read-eval-print loop: one Lua state for the session, expressions shown. Type :help.
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
    let options = call_options(&args);
    if args.repl {
        return super::repl::run(limits, options).await;
    }
    let script = match read_script(args.eval.as_deref(), args.file.as_deref(), &args.script_args) {
        Ok(Some(script)) => script,
        Ok(None) => return fail(args.json, "provide a Lua file, --eval code, or pipe Lua code on stdin.", 2),
        Err(message) => return fail(args.json, &message, 1),
    };
    let host = match load_host().await {
        Ok(host) => Arc::new(host),
        Err(message) => return fail(args.json, &message, 1),
    };
    start_watchdog(limits, args.json);
    let execution = lua::run(host.clone(), script, limits, options, echo(args.json)).await;
    host.mcp.shutdown().await;
    report(&execution, args.json);
    if execution.error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// The per-call choices of a script or REPL session: `--force`, a `y/N` on
/// the terminal when there is one (else a write under `ask` is refused with
/// how to proceed), `--dry-run`, `--allow-repeat`.
fn call_options(args: &LuaArgs) -> CallOptions {
    let confirm_timeout = Duration::from_secs(args.confirm_timeout);
    CallOptions {
        force: args.force,
        confirmer: TerminalConfirmer::if_interactive(confirm_timeout),
        confirm_timeout: Some(confirm_timeout),
        allow_repeat: args.allow_repeat,
        dry_run: args.dry_run,
        ..CallOptions::default()
    }
}

/// Text mode shows each print as it happens; the envelope holds them all.
pub(super) fn echo(json: bool) -> Option<lua::Echo> {
    if json { None } else { Some(Box::new(|line: &str| write_stdout(&format!("{line}\n")))) }
}

/// A failure before any script ran: with `--json` an envelope as well.
pub(super) fn fail(json: bool, message: &str, code: u8) -> ExitCode {
    if json {
        report(&Execution::failed(message.to_string()), true);
    } else {
        crate::log::failure(message);
    }
    ExitCode::from(code)
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

/// The code to run, from `--eval`, FILE (`-`: standard input) or piped
/// standard input, with the script's arguments.
pub(super) fn read_script(
    eval: Option<&str>,
    file: Option<&Path>,
    script_args: &[String],
) -> Result<Option<Script>, String> {
    let script_args = script_args.to_vec();
    if let Some(code) = eval.filter(|c| !c.trim().is_empty()) {
        // With --eval, a FILE position holds the first argument.
        let mut eval_args: Vec<String> = file.iter().map(|f| f.to_string_lossy().into_owned()).collect();
        eval_args.extend(script_args);
        return Ok(Some(Script { code: code.to_string(), chunk_name: "eval".into(), args: eval_args }));
    }
    if let Some(path) = file.filter(|p| p.as_os_str() != std::ffi::OsStr::new("-")) {
        let code =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read Lua file {}: {e}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "script.lua".into());
        return Ok(Some(Script { code: lua::script_text(code), chunk_name: name, args: script_args }));
    }
    let stdin = std::io::stdin();
    let named_dash = file.is_some();
    if named_dash || !stdin.is_terminal() {
        let mut code = String::new();
        stdin.lock().read_to_string(&mut code).map_err(|e| format!("cannot read standard input: {e}"))?;
        if !code.trim().is_empty() {
            return Ok(Some(Script { code: lua::script_text(code), chunk_name: "stdin".into(), args: script_args }));
        }
    }
    Ok(None)
}
