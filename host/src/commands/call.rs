//! `kosmo integrations:call <integration>.<function> '<json>'`: one call from
//! the shell, under the same permissions and credentials as Lua.

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
    /// Arguments as a JSON object (default `{}`).
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
    /// Check permission, account and arguments (the plugin builds its request)
    /// but send nothing; the request the plugin built is logged on stderr.
    #[arg(long)]
    dry_run: bool,
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
        Err(message) => return usage(&message),
    };
    let arguments: serde_json::Value = match serde_json::from_str(&args.arguments) {
        Ok(value @ serde_json::Value::Object(_)) => value,
        Ok(_) => return usage("the arguments must be a JSON object, e.g. '{\"perPage\": 5}'"),
        Err(e) => return usage(&format!("the arguments are not valid JSON: {e}")),
    };
    let host = match load_host().await {
        Ok(host) => host,
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    let operation = host.plugin(id).and_then(|p| p.tool(name).map(|t| t.operation.as_str()));
    let options = CallOptions { force: args.force, ..CallOptions::default() };
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
            Ok(invocation) => write_stdout(&format!("{}\n", pretty_json(&invocation.result))),
            Err(error) => crate::log::error(error),
        }
    }
    if success { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn usage(message: &str) -> ExitCode {
    crate::log::failure(message);
    ExitCode::from(2)
}
