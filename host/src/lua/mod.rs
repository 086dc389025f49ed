//! Runs one Lua script against the loaded plugins and reports what happened.

mod bridge;
mod convert;
mod globals;
mod mcp;
mod regex;
mod render;
mod sandbox;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use mlua::MultiValue;

pub use bridge::CallRecord;
pub use sandbox::LuaLimits;

use crate::host::{CallOptions, Host};
use crate::mcp_client::McpServers;

pub struct Script {
    pub code: String,
    /// Shown in error positions: `workflow.lua:3: ...`.
    pub chunk_name: String,
}

/// The outcome of a run, as the `--json` envelope reports it.
pub struct Execution {
    pub output: Vec<String>,
    pub error: Option<String>,
    pub result: Vec<serde_json::Value>,
    pub execution_time_ms: f64,
    pub memory_usage: Option<usize>,
    pub integration_calls: Vec<CallRecord>,
    pub permission_bypassed: bool,
}

impl Execution {
    /// A run that ended with `error` before producing anything.
    pub fn failed(error: String) -> Execution {
        Execution {
            output: Vec::new(),
            error: Some(error),
            result: Vec::new(),
            execution_time_ms: 0.0,
            memory_usage: None,
            integration_calls: Vec::new(),
            permission_bypassed: false,
        }
    }
}

/// The message for a script stopped at its time limit.
pub fn time_limit_message(limits: LuaLimits) -> String {
    sandbox::cpu_limit_message(limits.cpu)
}

/// What a script can reach.
pub enum Surface {
    /// `integrations:lua`: the plugins (`app.integrations`, `docs`) and the MCP servers.
    Integrations(Arc<Host>),
    /// `mcp:lua`: the MCP servers only (`app.mcp`, `mcp`).
    Mcp(Arc<McpServers>),
}

pub async fn run(host: Arc<Host>, script: Script, limits: LuaLimits, options: CallOptions) -> Execution {
    run_on(Surface::Integrations(host), script, limits, options).await
}

pub async fn run_on(surface: Surface, script: Script, limits: LuaLimits, options: CallOptions) -> Execution {
    let output: globals::Output = Arc::default();
    let log: Arc<Mutex<bridge::CallLog>> = Arc::default();
    let started = Instant::now();
    let outcome = execute(surface, &script, limits, options, output.clone(), log.clone()).await;
    let execution_time_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;

    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
    let output = std::mem::take(&mut *output.lock().unwrap_or_else(|e| e.into_inner()));
    let (result, error, memory_usage) = match outcome {
        Ok((values, memory)) => (values, None, Some(memory)),
        Err(message) => (Vec::new(), Some(message), None),
    };
    Execution {
        output,
        error,
        result,
        execution_time_ms,
        memory_usage,
        integration_calls: log.calls,
        permission_bypassed: log.permission_bypassed,
    }
}

type Outcome = Result<(Vec<serde_json::Value>, usize), String>;

async fn execute(
    surface: Surface,
    script: &Script,
    limits: LuaLimits,
    options: CallOptions,
    output: globals::Output,
    log: Arc<Mutex<bridge::CallLog>>,
) -> Outcome {
    let sandbox = sandbox::Sandbox::new(limits).map_err(|e| format!("could not start Lua: {e}"))?;
    let lua = &sandbox.lua;
    let env = &sandbox.env;
    let setup = (|| -> mlua::Result<()> {
        globals::install_output(lua, env, output)?;
        globals::install_json(lua, env)?;
        regex::install(lua, env)?;
        // MCP servers' tools take `--force` alone for now: no confirmation or preview yet.
        let force = options.force;
        match &surface {
            Surface::Integrations(host) => {
                globals::install_docs(lua, env, host.clone())?;
                bridge::install(lua, env, host.clone(), options, log.clone())?;
                mcp::install(lua, env, host.mcp.clone(), force, log)?;
            }
            Surface::Mcp(servers) => mcp::install(lua, env, servers.clone(), force, log)?,
        }
        Ok(())
    })();
    setup.map_err(|e| format!("could not set up Lua: {e}"))?;

    // Text only: binary chunks could break the VM's invariants. Loaded as a
    // function, not `eval`-ed, so statements are not rewritten into `return`s.
    let chunk = lua
        .load(script.code.as_str())
        .set_name(format!("={}", script.chunk_name))
        .set_mode(mlua::chunk::ChunkMode::Text)
        .set_environment(env.clone())
        .into_function()
        .map_err(|e| describe_error(&sandbox, e))?;
    sandbox.arm_cpu_limit().map_err(|e| e.to_string())?;
    // The wall clock backs up the CPU hook: a tool call waiting on the network
    // runs no Lua instructions.
    let wall = limits.cpu + std::time::Duration::from_secs(1);
    let values = match tokio::time::timeout(wall, chunk.call_async::<MultiValue>(())).await {
        Ok(Ok(values)) => values,
        Ok(Err(error)) => return Err(describe_error(&sandbox, error)),
        Err(_) => return Err(sandbox::cpu_limit_message(sandbox.limits().cpu)),
    };
    let mut result = Vec::with_capacity(values.len());
    for value in values.iter() {
        let json = convert::lua_to_json(lua, value, convert::Strictness::Lenient).unwrap_or(serde_json::Value::Null);
        result.push(json);
    }
    Ok((result, lua.used_memory()))
}

/// The message a person needs: which limit was hit, or the script's own error.
fn describe_error(sandbox: &sandbox::Sandbox, error: mlua::Error) -> String {
    if sandbox.was_killed() {
        return sandbox::cpu_limit_message(sandbox.limits().cpu);
    }
    match error {
        mlua::Error::MemoryError(_) => format!(
            "Lua memory limit of {} bytes exceeded (raise it with --memory-limit)",
            sandbox.limits().memory_bytes
        ),
        mlua::Error::SyntaxError { message, .. } => format!("syntax error: {message}"),
        mlua::Error::RuntimeError(message) => without_traceback(&message).to_string(),
        mlua::Error::CallbackError { cause, .. } => describe_error(sandbox, (*cause).clone()),
        mlua::Error::WithContext { cause, .. } => describe_error(sandbox, (*cause).clone()),
        other => other.to_string(),
    }
}

/// Lua errors raised through mlua carry a traceback; the message is enough.
fn without_traceback(message: &str) -> &str {
    message.split("\nstack traceback:").next().unwrap_or(message)
}
