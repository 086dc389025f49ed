//! `app.integrations.<id>[.<account>].<tool>(args)`: Lua calls into plugins.
//! Each call passes the permission policy, runs in a fresh plugin instance,
//! and is recorded for the envelope's `integration_calls`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use mlua::{Function, Lua, MultiValue, Table, Value};

use super::convert::{Strictness, json_to_lua, lua_to_json};
use super::sandbox::CallsInFlight;
use crate::config::DEFAULT_ACCOUNT;
use crate::host::Host;
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
    pub name: String,
    pub group: String,
}

#[derive(Default)]
pub struct CallLog {
    pub calls: Vec<CallRecord>,
    pub permission_bypassed: bool,
}

/// Raises the error a call returned, at the caller's line (`error(msg, 2)`),
/// so messages carry the script's `file:line:`.
const RAISE_AT_CALLER: &str = r#"
local call = ...
return function(path)
  return function(...)
    local ok, result = call(path, ...)
    if not ok then error(result, 2) end
    return result
  end
end
"#;

pub fn install(lua: &Lua, env: &Table, host: Arc<Host>, force: bool, log: Arc<Mutex<CallLog>>) -> mlua::Result<()> {
    let call = {
        let host = host.clone();
        lua.create_async_function(move |lua, (path, args): (String, MultiValue)| {
            let host = host.clone();
            let log = log.clone();
            async move {
                let started = Instant::now();
                let in_flight = lua.app_data_ref::<CallsInFlight>().map(|calls| calls.enter());
                let outcome = call_tool(&lua, &host, &path, args, force, &log).await;
                drop(in_flight);
                let (segments, tool_name) = split_path(&path);
                let title = host
                    .plugin(segments.0)
                    .and_then(|p| p.tool(tool_name))
                    .map(|t| t.title.clone())
                    .unwrap_or_default();
                let record = CallRecord {
                    path: path.clone(),
                    // Microsecond resolution: the benchmark reads per-call overheads from it.
                    duration_ms: (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0,
                    status: if outcome.is_ok() { "ok" } else { "error" },
                    error: outcome.as_ref().err().cloned(),
                    name: title,
                    group: segments.0.to_string(),
                };
                log.lock().unwrap_or_else(|e| e.into_inner()).calls.push(record);
                match outcome {
                    Ok(value) => Ok((true, value)),
                    Err(message) => Ok((false, Value::String(lua.create_string(&message)?))),
                }
            }
        })?
    };
    let wrap: Function = lua.load(RAISE_AT_CALLER).set_name("=kosmo").call(call)?;

    let integrations = lua.create_table()?;
    for plugin in &host.plugins {
        let accounts = host.settings.account_names(plugin.id());
        integrations.raw_set(plugin.id(), namespace(lua, plugin, &accounts, &wrap)?)?;
    }
    let app = lua.create_table()?;
    app.raw_set("integrations", integrations)?;
    env.raw_set("app", app)?;
    Ok(())
}

/// `app.integrations.<id>`: the tools of the default account, plus one
/// table per configured account (`.default` included) with the same tools.
fn namespace(lua: &Lua, plugin: &Plugin, accounts: &[String], wrap: &Function) -> mlua::Result<Table> {
    let id = plugin.id();
    let tool_names: Vec<String> = plugin.tools.iter().map(|t| t.name.clone()).collect();
    let tools_table = |prefix: &str| -> mlua::Result<Table> {
        let table = lua.create_table()?;
        for tool in &plugin.tools {
            table.raw_set(tool.name.as_str(), wrap.call::<Function>(format!("{prefix}.{}", tool.name))?)?;
        }
        table.set_metatable(Some(unknown_key_guard(lua, &format!("app.{prefix}"), &tool_names, &[])?))?;
        Ok(table)
    };
    let root = tools_table(&format!("integrations.{id}"))?;
    let mut account_names: Vec<&str> = vec![DEFAULT_ACCOUNT];
    account_names.extend(accounts.iter().map(String::as_str).filter(|a| *a != DEFAULT_ACCOUNT));
    for account in &account_names {
        root.raw_set(*account, tools_table(&format!("integrations.{id}.{account}"))?)?;
    }
    root.set_metatable(Some(unknown_key_guard(lua, &format!("app.integrations.{id}"), &tool_names, &account_names)?))?;
    Ok(root)
}

/// A metatable whose `__index` turns a misspelt name into a clear error.
fn unknown_key_guard(lua: &Lua, prefix: &str, tools: &[String], accounts: &[&str]) -> mlua::Result<Table> {
    let prefix = prefix.to_string();
    let account_list: Vec<String> = accounts.iter().map(|a| a.to_string()).collect();
    let mut known: Vec<String> = tools.to_vec();
    known.extend(accounts.iter().map(|a| a.to_string()));
    let index = lua.create_function(move |_, (_, key): (Value, Value)| -> mlua::Result<Value> {
        let key = match &key {
            Value::String(s) => s.to_string_lossy(),
            other => format!("{other:?}"),
        };
        let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
        let hint =
            crate::suggest::closest(&key, &candidates).map(|c| format!(" Did you mean {c}?")).unwrap_or_default();
        let what = if account_list.is_empty() { "function" } else { "function or account" };
        let accounts = if account_list.is_empty() {
            String::new()
        } else {
            format!(" Configured accounts: {}.", account_list.join(", "))
        };
        Err(mlua::Error::runtime(format!("Unknown {what}: {prefix}.{key}.{hint}{accounts}")))
    })?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", index)?;
    Ok(meta)
}

/// `integrations.<id>[.<account>].<tool>` → ((id, account), tool)
fn split_path(path: &str) -> ((&str, &str), &str) {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["integrations", id, tool] => ((id, DEFAULT_ACCOUNT), tool),
        ["integrations", id, account, tool] => ((id, account), tool),
        _ => (("", DEFAULT_ACCOUNT), ""),
    }
}

async fn call_tool(
    lua: &Lua,
    host: &Host,
    path: &str,
    args: MultiValue,
    force: bool,
    log: &Mutex<CallLog>,
) -> Result<Value, String> {
    let ((id, account), tool_name) = split_path(path);
    let arguments = match args.into_iter().next() {
        None | Some(Value::Nil) => serde_json::Value::Object(Default::default()),
        Some(value @ Value::Table(_)) => {
            lua_to_json(lua, &value, Strictness::Strict).map_err(|e| format!("{id}.{tool_name}: {e}"))?
        }
        Some(other) => {
            return Err(format!(
                "{id}.{tool_name} takes a table of named arguments, e.g. {{ perPage = 10 }}, not a {}",
                other.type_name()
            ));
        }
    };
    // An empty table means no arguments, whatever its marker says.
    let arguments = match arguments {
        serde_json::Value::Array(items) if items.is_empty() => serde_json::Value::Object(Default::default()),
        other => other,
    };
    let invocation = host.invoke(id, account, tool_name, &arguments, force).await?;
    if invocation.permission_bypassed {
        log.lock().unwrap_or_else(|e| e.into_inner()).permission_bypassed = true;
    }
    json_to_lua(lua, &invocation.result).map_err(|e| e.to_string())
}
