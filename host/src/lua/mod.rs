//! Lua for scripts and the REPL: a [`Session`] on the plugins and/or the MCP
//! servers, and what a run reports.

mod bridge;
mod convert;
mod errors;
mod globals;
mod guide;
mod mcp;
mod paging;
mod regex;
mod render;
mod sandbox;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use mlua::MultiValue;

pub use bridge::CallRecord;
pub use globals::Echo;
pub use sandbox::LuaLimits;

use crate::host::{CallOptions, Host};
use crate::mcp_client::McpServers;

pub struct Script {
    pub code: String,
    /// Shown in error positions: `workflow.lua:3: ...`; also `arg[0]`.
    pub chunk_name: String,
    /// The script's arguments: `arg[1..]` and `...`.
    pub args: Vec<String>,
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

/// A script's text as Lua's own `lua` reads a file: a UTF-8 byte order mark
/// and a `#!` first line are skipped (the line kept empty, so line numbers hold).
pub fn script_text(code: String) -> String {
    let code = code.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(code);
    if code.starts_with('#') {
        let rest = code.find('\n').map_or("", |at| &code[at..]);
        return rest.to_string();
    }
    code
}

/// What a script can reach.
pub enum Surface {
    /// `integrations:lua`: the plugins (`app.integrations`, `docs`, `paging`) and the MCP servers.
    Integrations(Arc<Host>),
    /// `mcp:lua`: the MCP servers only (`app.mcp`, `mcp`).
    Mcp(Arc<McpServers>),
}

/// One script run on the plugins and MCP servers: see [`run_on`].
pub async fn run(
    host: Arc<Host>,
    script: Script,
    limits: LuaLimits,
    options: CallOptions,
    echo: Option<Echo>,
) -> Execution {
    run_on(Surface::Integrations(host), script, limits, options, echo).await
}

/// One script run: a fresh session, the chunk called with `args` as `...`.
pub async fn run_on(
    surface: Surface,
    script: Script,
    limits: LuaLimits,
    options: CallOptions,
    echo: Option<Echo>,
) -> Execution {
    let session = match Session::new(&surface, limits, options, echo) {
        Ok(session) => session,
        Err(message) => return Execution::failed(message),
    };
    session.set_args(&script.chunk_name, &script.args);
    match session.compile(&script.code, &script.chunk_name) {
        Compiled::Chunk(chunk) => session.execute(chunk, &script.args).await,
        Compiled::Incomplete(message) | Compiled::Invalid(message) => Execution::failed(message),
    }
}

/// What compiling a piece of code gave.
pub enum Compiled {
    Chunk(mlua::Function),
    /// The code ends in the middle of a statement (the REPL reads on).
    Incomplete(String),
    Invalid(String),
}

/// One Lua state with the host's globals, for one script or a whole REPL
/// session: globals set by one chunk are there for the next.
pub struct Session {
    sandbox: sandbox::Sandbox,
    output: Arc<globals::Output>,
    log: Arc<Mutex<bridge::CallLog>>,
    /// Calls a chunk, turning an error value into its message (see `errors.rs`).
    runner: mlua::Function,
}

/// Calls the chunk; a structured error leaves as its `tostring`, anything
/// else as it was raised (the time limit's error among them).
const RUNNER: &str = r#"
local raw_pcall, is_error, text, error = ...
local function finish(ok, ...)
  if ok then return ... end
  local e = ...
  if is_error(e) then error(text(e), 0) end
  error(e, 0)
end
return function(chunk, ...) return finish(raw_pcall(chunk, ...)) end
"#;

impl Session {
    /// A session on `surface`; every tool call of it goes with `options`
    /// (`--force`, the confirmer, `--dry-run`, `--allow-repeat`).
    pub fn new(
        surface: &Surface,
        limits: LuaLimits,
        options: CallOptions,
        echo: Option<Echo>,
    ) -> Result<Session, String> {
        let sandbox = sandbox::Sandbox::new(limits).map_err(|e| format!("could not start Lua: {e}"))?;
        let output = globals::Output::new(echo);
        let log: Arc<Mutex<bridge::CallLog>> = Arc::default();
        let lua = &sandbox.lua;
        let env = &sandbox.env;
        let setup = (|| -> mlua::Result<mlua::Function> {
            let (is_error, text) = errors::install(lua)?;
            globals::install_output(lua, env, output.clone())?;
            globals::install_sleep(lua, env)?;
            globals::install_json(lua, env)?;
            regex::install(lua, env)?;
            // MCP servers' tools take `--force` alone for now: no confirmation or preview yet.
            let force = options.force;
            match surface {
                Surface::Integrations(host) => {
                    globals::install_docs(lua, env, host.clone())?;
                    bridge::install(lua, env, host.clone(), options, log.clone())?;
                    paging::install(lua, env, host.clone())?;
                    mcp::install(lua, env, host.mcp.clone(), force, log.clone())?;
                }
                Surface::Mcp(servers) => mcp::install(lua, env, servers.clone(), force, log.clone())?,
            }
            let raw_pcall: mlua::Function = lua.globals().raw_get("pcall")?;
            let error: mlua::Function = lua.globals().raw_get("error")?;
            lua.load(RUNNER).set_name(format!("={}", errors::HOST_CHUNK)).call((raw_pcall, is_error, text, error))
        })();
        let runner = setup.map_err(|e| format!("could not set up Lua: {e}"))?;
        Ok(Session { sandbox, output, log, runner })
    }

    /// `arg` as `lua` sets it: `arg[0]` the script, `arg[1..]` its arguments.
    pub fn set_args(&self, script: &str, args: &[String]) {
        let set = || -> mlua::Result<()> {
            let arg = self.sandbox.lua.create_table()?;
            arg.raw_set(0, script)?;
            for (i, value) in args.iter().enumerate() {
                arg.raw_set(i + 1, value.as_str())?;
            }
            self.sandbox.env.raw_set("arg", arg)
        };
        let _ = set();
    }

    /// Text only: binary chunks could break the VM's invariants.
    pub fn compile(&self, code: &str, chunk_name: &str) -> Compiled {
        let loaded = self
            .sandbox
            .lua
            .load(code)
            .set_name(format!("={chunk_name}"))
            .set_mode(mlua::chunk::ChunkMode::Text)
            .set_environment(self.sandbox.env.clone())
            .into_function();
        match loaded {
            Ok(chunk) => Compiled::Chunk(chunk),
            Err(mlua::Error::SyntaxError { incomplete_input: true, message }) => {
                Compiled::Incomplete(format!("syntax error: {message}"))
            }
            Err(error) => Compiled::Invalid(describe_error(&self.sandbox, error)),
        }
    }

    /// As `lua`'s REPL: a line that is an expression is returned (so shown),
    /// anything else runs as a statement.
    pub fn compile_line(&self, code: &str, chunk_name: &str) -> Compiled {
        if let Compiled::Chunk(chunk) = self.compile(&format!("return {code}"), chunk_name) {
            return Compiled::Chunk(chunk);
        }
        self.compile(code, chunk_name)
    }

    /// Runs a compiled chunk within the limits, `args` as its `...`.
    pub async fn execute(&self, chunk: mlua::Function, args: &[String]) -> Execution {
        let started = Instant::now();
        let outcome = self.call(chunk, args).await;
        let execution_time_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
        let log = std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()));
        let (result, error, memory_usage) = match outcome {
            Ok((values, memory)) => (values, None, Some(memory)),
            Err(message) => (Vec::new(), Some(message), None),
        };
        Execution {
            output: self.output.take(),
            error,
            result,
            execution_time_ms,
            memory_usage,
            integration_calls: log.calls,
            permission_bypassed: log.permission_bypassed,
        }
    }

    async fn call(&self, chunk: mlua::Function, args: &[String]) -> Outcome {
        let sandbox = &self.sandbox;
        let lua = &sandbox.lua;
        sandbox.arm_cpu_limit().map_err(|e| e.to_string())?;
        let mut call_args = MultiValue::new();
        call_args.push_back(mlua::Value::Function(chunk));
        for arg in args {
            call_args.push_back(mlua::Value::String(lua.create_string(arg).map_err(|e| e.to_string())?));
        }
        // The wall clock backs up the CPU hook: a tool call waiting on the network
        // runs no Lua instructions.
        let wall = sandbox.limits().cpu + std::time::Duration::from_secs(1);
        let values = match tokio::time::timeout(wall, self.runner.call_async::<MultiValue>(call_args)).await {
            Ok(Ok(values)) => values,
            Ok(Err(error)) => return Err(describe_error(sandbox, error)),
            Err(_) => return Err(sandbox::cpu_limit_message(sandbox.limits().cpu)),
        };
        let mut result = Vec::with_capacity(values.len());
        for value in values.iter() {
            let json =
                convert::lua_to_json(lua, value, convert::Strictness::Lenient).unwrap_or(serde_json::Value::Null);
            result.push(json);
        }
        Ok((result, lua.used_memory()))
    }
}

type Outcome = Result<(Vec<serde_json::Value>, usize), String>;

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
        // A memory error re-raised by the runner arrives as a runtime error.
        mlua::Error::RuntimeError(message) if message == "not enough memory" => {
            describe_error(sandbox, mlua::Error::MemoryError(message))
        }
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
