//! `kosmo integrations:call <integration>.<function> '<json>'`: one call from
//! the shell, under the same permissions and credentials as Lua.

use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::{load_host, pretty_json, split_function, write_stdout};
use crate::config::DEFAULT_ACCOUNT;
use crate::host::CallOptions;

#[derive(Args)]
#[command(after_help = "Examples:\n  kosmo integrations:call ringcentral.list_messages '{\"perPage\": 5}' --json\n  \
kosmo integrations:call ringcentral.send_sms '{\"from\": \"+16505550101\", \"to\": \"+16505559876\", \"text\": \"hi\"}' --force\n\n\
Exit status: 0 success, 1 failure, 2 bad usage.")]
pub struct CallArgs {
    /// `<integration>.<function>`, e.g. ringcentral.list_messages.
    function: String,
    /// Arguments as a JSON object (default `{}`); `@FILE` reads them from a file, `-` from standard input.
    #[arg(default_value = "{}")]
    arguments: String,
    /// Named account from the config file.
    #[arg(long, default_value = DEFAULT_ACCOUNT)]
    account: String,
    /// Print a JSON envelope: function, success, data, error, meta, duration_ms.
    #[arg(long)]
    json: bool,
    /// Allow calls whose permission is `ask` (writes, by default). `deny` still holds.
    #[arg(long)]
    force: bool,
    /// Let the plugin build its request(s) and send nothing: print each one
    /// (method, full URL, the headers the plugin set, body); `--json` gives
    /// them as `data.request` (the last) and `data.requests`. Needs no write
    /// permission (`deny` still refuses).
    #[arg(long)]
    dry_run: bool,
    /// Send a write even if an identical one went out in the last 10 minutes.
    #[arg(long)]
    allow_repeat: bool,
}

#[derive(Serialize)]
struct CallEnvelope<'a> {
    function: &'a str,
    success: bool,
    data: Option<serde_json::Value>,
    error: Option<String>,
    meta: CallMeta<'a>,
    duration_ms: f64,
}

#[derive(Serialize)]
struct CallMeta<'a> {
    dry_run: bool,
    operation: Option<&'static str>,
    permission_bypassed: bool,
    account: &'a str,
}

pub async fn run(args: CallArgs) -> ExitCode {
    let (id, name) = match split_function(&args.function) {
        Ok(parts) => parts,
        Err(message) => return usage(&args, &message),
    };
    let text = match read_arguments(&args.arguments) {
        Ok(text) => text,
        Err(message) => return usage(&args, &message),
    };
    let arguments: serde_json::Value = match serde_json::from_str(&text) {
        Ok(value @ serde_json::Value::Object(_)) => value,
        Ok(_) => return usage(&args, "the arguments must be a JSON object, e.g. '{\"perPage\": 5}'"),
        Err(e) => return usage(&args, &format!("the arguments are not valid JSON: {e}")),
    };
    let host = match load_host().await {
        Ok(host) => host,
        Err(message) => return failed(&args, &message, ExitCode::FAILURE),
    };
    let operation = host.plugin(id).and_then(|p| p.tool(name).map(|t| t.operation.as_str()));
    let options = CallOptions { force: args.force, allow_repeat: args.allow_repeat, ..CallOptions::default() };
    let started = Instant::now();
    let outcome = if args.dry_run {
        host.dry_run(id, &args.account, name, &arguments, &options).await
    } else {
        host.invoke(id, &args.account, name, &arguments, &options).await
    };
    let duration_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let success = outcome.is_ok();

    if args.json {
        let (data, error, bypassed) = match outcome {
            Ok(invocation) => (Some(invocation.result), None, invocation.permission_bypassed),
            Err(error) => (None, Some(error), false),
        };
        let envelope = CallEnvelope {
            function: &args.function,
            success,
            data,
            error,
            meta: CallMeta { dry_run: args.dry_run, operation, permission_bypassed: bypassed, account: &args.account },
            duration_ms,
        };
        write_stdout(&format!("{}\n", pretty_json(&envelope)));
    } else {
        match outcome {
            Ok(invocation) if args.dry_run => write_stdout(&preview_text(&invocation.result)),
            Ok(invocation) => write_stdout(&format!("{}\n", pretty_json(&invocation.result))),
            Err(error) => crate::log::error(error),
        }
    }
    if success { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The arguments' JSON: as given, from a file (`@FILE`) or from standard input (`-`).
fn read_arguments(given: &str) -> Result<String, String> {
    if given == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the arguments from standard input: {e}"))?;
        return Ok(text);
    }
    match given.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read the arguments from {path}: {e}")),
        None => Ok(given.to_string()),
    }
}

fn usage(args: &CallArgs, message: &str) -> ExitCode {
    failed(args, message, ExitCode::from(2))
}

/// A failure before any call: with `--json` an envelope as well.
fn failed(args: &CallArgs, message: &str, code: ExitCode) -> ExitCode {
    if args.json {
        let envelope = CallEnvelope {
            function: &args.function,
            success: false,
            data: None,
            error: Some(message.to_string()),
            meta: CallMeta {
                dry_run: args.dry_run,
                operation: None,
                permission_bypassed: false,
                account: &args.account,
            },
            duration_ms: 0.0,
        };
        write_stdout(&format!("{}\n", pretty_json(&envelope)));
    } else {
        crate::log::failure(message);
    }
    code
}

/// A dry run's requests as text: `METHOD URL`, the headers, a blank line and the body.
fn preview_text(result: &serde_json::Value) -> String {
    let requests = result["requests"].as_array().cloned().unwrap_or_default();
    let mut text = format!("dry run: nothing sent; the plugin built {} request(s)\n", requests.len());
    for request in &requests {
        text.push_str(&format!(
            "\n{} {}\n",
            request["method"].as_str().unwrap_or(""),
            request["url"].as_str().unwrap_or("")
        ));
        for (name, value) in request["headers"].as_object().into_iter().flatten() {
            text.push_str(&format!("{name}: {}\n", value.as_str().unwrap_or("")));
        }
        if !request["body"].is_null() {
            text.push_str(&format!("\n{}\n", pretty_json(&request["body"])));
        }
    }
    text
}
