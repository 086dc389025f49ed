//! `app.integrations.<id>[.<account>].<tool>(args)`: Lua calls into plugins.
//! Each call passes the permission policy, runs in a fresh plugin instance,
//! and is recorded for the envelope's `integration_calls`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use mlua::{Function, Lua, MultiValue, Table, Value};

use super::convert::{Strictness, json_to_lua, lua_to_json};
use super::errors;
use super::sandbox::CallsInFlight;
use crate::call_failure::{CallFailure, FailureKind};
use crate::config::DEFAULT_ACCOUNT;
use crate::host::{CallOptions, Host};
use crate::pacing::{Deadline, WaitSink};
use crate::runtime::Plugin;

/// One tool call, as the envelope reports it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CallRecord {
    pub path: String,
    #[serde(rename = "durationMs")]
    pub duration_ms: f64,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Time the call spent waiting for the account's rate limits.
    #[serde(rename = "waitedMs")]
    pub waited_ms: f64,
    pub name: String,
    pub group: String,
}

#[derive(Default)]
pub struct CallLog {
    pub calls: Vec<CallRecord>,
    pub permission_bypassed: bool,
}

/// Raises the error a call returned as an error value at the script's line
/// (see `errors.rs`), and remembers which tool each function calls, for
/// `paging` (`tool_of(f)` gives id, account, tool).
const RAISE_AT_CALLER: &str = r#"
local call, error_here, setmetatable = ...
local tools = setmetatable({}, { __mode = "k" })
local function wrap(id, account, tool)
  local f = function(...)
    local ok, result = call(id, account, tool, ...)
    if not ok then error(error_here(result), 0) end
    return result
  end
  tools[f] = { id, account, tool }
  return f
end
local function tool_of(f)
  local t = tools[f]
  if t then return t[1], t[2], t[3] end
end
return wrap, tool_of
"#;

/// `__index` of a namespace: the Rust lookup answers `(true, value)` or
/// `(false, fields)`, raised here at the script's line.
const RAISING_INDEX: &str = r#"
local index, error_here = ...
return function(t, k)
  local ok, v = index(t, k)
  if ok then return v end
  error(error_here(v), 0)
end
"#;

/// Where `install` keeps `tool_of(f)`.
pub const TOOL_OF: &str = "kosmo.tool_of";

/// Which tool a Lua function calls: `app.integrations.<id>[.<account>].<tool>`.
struct ToolPath {
    id: String,
    /// `None` at the integration's root: the default account.
    account: Option<String>,
    tool: String,
}

impl ToolPath {
    fn account(&self) -> &str {
        self.account.as_deref().unwrap_or(DEFAULT_ACCOUNT)
    }

    /// `integrations.<id>[.<account>].<tool>`, as the envelope reports it.
    fn display(&self) -> String {
        match &self.account {
            None => format!("integrations.{}.{}", self.id, self.tool),
            Some(account) => format!("integrations.{}.{account}.{}", self.id, self.tool),
        }
    }
}

pub fn install(
    lua: &Lua,
    env: &Table,
    host: Arc<Host>,
    options: CallOptions,
    log: Arc<Mutex<CallLog>>,
) -> mlua::Result<()> {
    let call = {
        let host = host.clone();
        type Arguments = (String, Option<String>, String, MultiValue);
        lua.create_async_function(move |lua, (id, account, tool, args): Arguments| {
            let host = host.clone();
            let log = log.clone();
            let options = options.clone();
            async move {
                let (record_id, record_tool) = (id.clone(), tool.clone());
                let path = ToolPath { id, account, tool };
                let started = Instant::now();
                let in_flight = lua.app_data_ref::<CallsInFlight>().map(|calls| calls.enter());
                let waited_us = Arc::new(AtomicU64::new(0));
                let options = CallOptions {
                    deadline: lua.app_data_ref::<Deadline>().map(|d| d.clone()),
                    on_wait: Some(progress_line(waited_us.clone())),
                    ..options
                };
                let outcome = call_tool(&lua, &host, &path, args, &options, &log).await;
                drop(in_flight);
                let title =
                    host.plugin(&path.id).and_then(|p| p.tool(&path.tool).map(|t| t.title.clone())).unwrap_or_default();
                let record = CallRecord {
                    path: path.display(),
                    // Microsecond resolution: the benchmark reads per-call overheads from it.
                    duration_ms: (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0,
                    status: if outcome.is_ok() { "ok" } else { "error" },
                    error: outcome.as_ref().err().map(|f| f.message.clone()),
                    waited_ms: (waited_us.load(Ordering::Relaxed) as f64 / 1000.0).round(),
                    name: title,
                    group: path.id,
                };
                log.lock().unwrap_or_else(|e| e.into_inner()).calls.push(record);
                match outcome {
                    Ok(value) => Ok((true, value)),
                    Err(failure) => {
                        let tool = format!("{}.{}", record_id, record_tool);
                        Ok((false, Value::Table(errors::failure_fields(&lua, &tool, &failure)?)))
                    }
                }
            }
        })?
    };
    let error_here: Function = lua.named_registry_value(errors::ERROR_HERE)?;
    let setmetatable: Function = lua.globals().raw_get("setmetatable")?;
    let (wrap, tool_of): (Function, Function) =
        lua.load(RAISE_AT_CALLER).set_name(HOST_CHUNK_NAME).call((call, error_here, setmetatable))?;
    lua.set_named_registry_value(WRAP, wrap)?;
    lua.set_named_registry_value(TOOL_OF, tool_of)?;

    let integrations = lua.create_table()?;
    integrations.set_metatable(Some(integrations_meta(lua, host)?))?;
    let app = lua.create_table()?;
    app.raw_set("integrations", integrations)?;
    env.raw_set("app", app)?;
    Ok(())
}

const HOST_CHUNK_NAME: &str = "=kosmo";

/// Each rate-limit wait of a call: a progress line on stderr, added to the call's `waitedMs`.
fn progress_line(waited_us: Arc<AtomicU64>) -> WaitSink {
    WaitSink(Arc::new(move |notice| {
        crate::log::info(notice.describe());
        waited_us.fetch_add(notice.wait.as_micros() as u64, Ordering::Relaxed);
    }))
}

/// Where `install` keeps the function that makes a tool's Lua function.
const WRAP: &str = "kosmo.wrap_tool";

/// The namespace is built lazily: `app.integrations.<id>`, its account
/// tables and its tool functions are made on first use (and kept), so a
/// plugin's size costs a script nothing until the script touches it: a
/// plugin with many tools cannot eat the memory limit of a script that calls
/// another one. An unknown integration is `nil`, as a missing key is.
fn integrations_meta(lua: &Lua, host: Arc<Host>) -> mlua::Result<Table> {
    let ids: Vec<String> = host.catalog().plugins().iter().map(|p| p.id().to_string()).collect();
    let index = lua.create_function(move |lua, (integrations, key): (Table, Value)| -> mlua::Result<Value> {
        let Value::String(id) = key else { return Ok(Value::Nil) };
        let id = id.to_str()?.to_string();
        if host.plugin(&id).is_none() {
            return Ok(Value::Nil);
        }
        let accounts = host.settings.account_names(&id);
        let root = lua.create_table()?;
        root.set_metatable(Some(namespace_meta(lua, host.clone(), &id, None, accounts)?))?;
        integrations.raw_set(id, &root)?;
        Ok(Value::Table(root))
    })?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", index)?;
    meta.raw_set("__pairs", lazy_pairs(lua, move || ids.clone())?)?;
    Ok(meta)
}

/// The metatable of `app.integrations.<id>` (`account` is `None`: tools of
/// the default account, and one table per account) or of
/// `app.integrations.<id>.<account>` (its tools). A key is resolved on first
/// use; an account name wins over a tool of the same name at the root (the
/// tool stays reachable as `.default.<tool>`); a misspelt name is a clear
/// error with a "did you mean".
fn namespace_meta(
    lua: &Lua,
    host: Arc<Host>,
    id: &str,
    account: Option<&str>,
    configured: Vec<String>,
) -> mlua::Result<Table> {
    let prefix = match account {
        None => format!("integrations.{id}"),
        Some(account) => format!("integrations.{id}.{account}"),
    };
    let accounts = match account {
        None => with_default(configured),
        Some(_) => Vec::new(),
    };
    let id = id.to_string();
    let account = account.map(str::to_string);
    let (pairs_host, pairs_id, pairs_accounts) = (host.clone(), id.clone(), accounts.clone());
    let index = lua.create_function(move |lua, (table, key): (Table, Value)| -> mlua::Result<(bool, Value)> {
        let Some(plugin) = host.plugin(&id) else { return Ok((true, Value::Nil)) };
        let unknown = |name: &str| -> mlua::Result<(bool, Value)> {
            let message = unknown_key(&prefix, &id, &plugin, &accounts, name);
            Ok((false, Value::Table(errors::plain_fields(lua, "unknown_function", &message)?)))
        };
        let name = match &key {
            Value::String(s) => s.to_string_lossy(),
            other => return unknown(&format!("{other:?}")),
        };
        let value = if accounts.contains(&name) {
            let tools = lua.create_table()?;
            tools.set_metatable(Some(namespace_meta(lua, host.clone(), &id, Some(&name), Vec::new())?))?;
            Value::Table(tools)
        } else if plugin.tool(&name).is_some() {
            let wrap: Function = lua.named_registry_value(WRAP)?;
            Value::Function(wrap.call::<Function>((id.as_str(), account.as_deref(), name.as_str()))?)
        } else {
            return unknown(&name);
        };
        table.raw_set(name, &value)?;
        Ok((true, value))
    })?;
    let error_here: Function = lua.named_registry_value(errors::ERROR_HERE)?;
    let index: Function = lua.load(RAISING_INDEX).set_name(HOST_CHUNK_NAME).call((index, error_here))?;
    let keys = move || {
        let plugin = pairs_host.plugin(&pairs_id);
        let tools = plugin.as_ref().map(|p| p.tools.as_slice()).unwrap_or_default();
        let tools = tools.iter().map(|t| t.name.clone()).filter(|t| !pairs_accounts.contains(t));
        pairs_accounts.iter().cloned().chain(tools).collect()
    };
    let meta = lua.create_table()?;
    meta.raw_set("__index", index)?;
    meta.raw_set("__pairs", lazy_pairs(lua, keys)?)?;
    Ok(meta)
}

/// `__pairs` for a lazily filled table: walks the names `keys` gives, each
/// value looked up through `__index` (so made on first use, as any access).
fn lazy_pairs(lua: &Lua, keys: impl Fn() -> Vec<String> + Send + 'static) -> mlua::Result<Function> {
    lua.create_function(move |lua, table: Table| {
        let keys = keys();
        let next = lua.create_function(move |lua, (table, key): (Table, Option<String>)| {
            let at = match key {
                None => 0,
                Some(key) => keys.iter().position(|k| *k == key).map_or(keys.len(), |i| i + 1),
            };
            match keys.get(at) {
                Some(key) => Ok((Value::String(lua.create_string(key)?), table.get::<Value>(key.as_str())?)),
                None => Ok((Value::Nil, Value::Nil)),
            }
        })?;
        Ok((next, table, Value::Nil))
    })
}

/// `default` first, then the other configured accounts.
fn with_default(configured: Vec<String>) -> Vec<String> {
    let mut accounts = vec![DEFAULT_ACCOUNT.to_string()];
    accounts.extend(configured.into_iter().filter(|a| a != DEFAULT_ACCOUNT));
    accounts
}

/// A misspelt function (or account) name: what is there, the closest one,
/// and at the root how to configure an account of that name.
fn unknown_key(prefix: &str, id: &str, plugin: &Plugin, accounts: &[String], key: &str) -> String {
    let mut known: Vec<&str> = plugin.tools.iter().map(|t| t.name.as_str()).collect();
    known.extend(accounts.iter().map(String::as_str));
    let hint = kosmo_suggest::hint(key, &known);
    if accounts.is_empty() {
        return format!("Unknown function: app.{prefix}.{key}.{hint}");
    }
    format!(
        "Unknown function or account: app.{prefix}.{key}.{hint} Configured accounts: {}. To use an account \
         named '{key}', add [integrations.{id}.accounts.{key}] to the config file.",
        accounts.join(", ")
    )
}

async fn call_tool(
    lua: &Lua,
    host: &Host,
    path: &ToolPath,
    args: MultiValue,
    options: &CallOptions,
    log: &Mutex<CallLog>,
) -> Result<Value, CallFailure> {
    let (id, account, tool_name) = (path.id.as_str(), path.account(), path.tool.as_str());
    let invalid = |message: String| CallFailure::new(FailureKind::InvalidArguments, message);
    let arguments = match args.into_iter().next() {
        None | Some(Value::Nil) => serde_json::Value::Object(Default::default()),
        Some(value @ Value::Table(_)) => {
            lua_to_json(lua, &value, Strictness::Strict).map_err(|e| invalid(format!("{id}.{tool_name}: {e}")))?
        }
        Some(other) => {
            return Err(invalid(format!(
                "{id}.{tool_name} takes a table of named arguments, e.g. {{ perPage = 10 }}, not a {}",
                other.type_name()
            )));
        }
    };
    // An empty table means no arguments, whatever its marker says.
    let arguments = match arguments {
        serde_json::Value::Array(items) if items.is_empty() => serde_json::Value::Object(Default::default()),
        other => other,
    };
    let invocation = if options.dry_run {
        host.preview_call(id, account, tool_name, &arguments, options).await?
    } else {
        host.call(id, account, tool_name, &arguments, options).await?
    };
    if invocation.permission_bypassed {
        log.lock().unwrap_or_else(|e| e.into_inner()).permission_bypassed = true;
    }
    json_to_lua(lua, &invocation.result).map_err(|e| CallFailure::new(FailureKind::Plugin, e.to_string()))
}
