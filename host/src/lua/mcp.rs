//! `app.mcp.<server>.<tool>(args)` and the `mcp.*` helpers: Lua calls into
//! the configured MCP servers. A server starts on the first call that needs
//! it; tool calls pass the permission policy and are recorded for the
//! envelope's `integration_calls`, as integration calls are.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use mlua::{Function, Lua, MultiValue, Table, Value};
use serde_json::Value as Json;

use super::bridge::{CallLog, CallRecord};
use super::convert::{Strictness, json_to_lua, lua_to_json};
use super::sandbox::CallsInFlight;
use crate::mcp_client::McpServers;

/// `app.mcp.<server>.<tool>` raises the call's error at the caller's line;
/// `mcp.call` returns `nil, err` instead.
const WRAPPERS: &str = r#"
local call = ...
local function tool(server, name)
  return function(...)
    local ok, result = call(server, name, ...)
    if not ok then error(result, 2) end
    return result
  end
end
local function call_by_name(full_name, ...)
  if type(full_name) ~= "string" or not full_name:find(".", 1, true) then
    return nil, "mcp.call takes \"<server>.<tool>\" and a table of arguments"
  end
  local server, name = full_name:match("^([^.]+)%.(.+)$")
  local ok, result = call(server or "", name or "", ...)
  if ok then return result end
  return nil, result
end
return tool, call_by_name
"#;

pub fn install(
    lua: &Lua,
    env: &Table,
    servers: Arc<McpServers>,
    force: bool,
    log: Arc<Mutex<CallLog>>,
) -> mlua::Result<()> {
    let call = {
        let servers = servers.clone();
        lua.create_async_function(move |lua, (server, tool, args): (String, String, MultiValue)| {
            let servers = servers.clone();
            let log = log.clone();
            async move {
                let started = Instant::now();
                let in_flight = lua.app_data_ref::<CallsInFlight>().map(|calls| calls.enter());
                let outcome = call_tool(&lua, &servers, &server, &tool, args, force).await;
                drop(in_flight);
                let (title, outcome) = match outcome {
                    Ok((title, bypassed, value)) => {
                        if bypassed {
                            log.lock().unwrap_or_else(|e| e.into_inner()).permission_bypassed = true;
                        }
                        (title, Ok(value))
                    }
                    Err(message) => (String::new(), Err(message)),
                };
                let server_lua = crate::mcp_client::config::lua_name(&server);
                let record = CallRecord {
                    path: format!("mcp.{server_lua}.{tool}"),
                    duration_ms: (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0,
                    status: if outcome.is_ok() { "ok" } else { "error" },
                    error: outcome.as_ref().err().cloned(),
                    name: title,
                    group: format!("mcp.{server_lua}"),
                    // MCP servers are not paced: their limits are their own.
                    waited_ms: 0.0,
                };
                log.lock().unwrap_or_else(|e| e.into_inner()).calls.push(record);
                match outcome {
                    Ok(value) => Ok((true, value)),
                    Err(message) => Ok((false, Value::String(lua.create_string(&message)?))),
                }
            }
        })?
    };
    let (tool, call_by_name): (Function, Function) = lua.load(WRAPPERS).set_name("=kosmo").call(call)?;

    let app = match env.raw_get::<Value>("app")? {
        Value::Table(app) => app,
        _ => {
            let app = lua.create_table()?;
            env.raw_set("app", &app)?;
            app
        }
    };
    let namespace = lua.create_table()?;
    namespace.set_metatable(Some(servers_meta(lua, servers.clone(), tool)?))?;
    app.raw_set("mcp", namespace)?;

    let helpers = lua.create_table()?;
    helpers.raw_set("call", call_by_name)?;
    install_helpers(lua, &helpers, servers)?;
    env.raw_set("mcp", helpers)?;
    Ok(())
}

/// `app.mcp.<server>` is made on first use; its tools are functions made on
/// first use too, resolved against the server's list when called (so
/// touching `app.mcp.x.y` starts nothing). An unknown server is an error with
/// a "did you mean".
fn servers_meta(lua: &Lua, servers: Arc<McpServers>, tool: Function) -> mlua::Result<Table> {
    let index = lua.create_function(move |lua, (namespace, key): (Table, Value)| -> mlua::Result<Value> {
        let Value::String(key) = key else { return Ok(Value::Nil) };
        let key = key.to_str()?.to_string();
        let server = servers.find(&key).map_err(mlua::Error::runtime)?;
        let server_name = server.name.clone();
        let tools = lua.create_table()?;
        let make = tool.clone();
        let tool_index = lua.create_function(move |_, (tools, name): (Table, Value)| -> mlua::Result<Value> {
            let Value::String(name) = name else { return Ok(Value::Nil) };
            let name = name.to_str()?.to_string();
            let function: Function = make.call((server_name.as_str(), name.as_str()))?;
            tools.raw_set(name, &function)?;
            Ok(Value::Function(function))
        })?;
        let meta = lua.create_table()?;
        meta.raw_set("__index", tool_index)?;
        tools.set_metatable(Some(meta))?;
        namespace.raw_set(key, &tools)?;
        Ok(Value::Table(tools))
    })?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", index)?;
    Ok(meta)
}

/// One tool call: the title of the tool, whether `--force` let it through, and the value.
async fn call_tool(
    lua: &Lua,
    servers: &McpServers,
    server: &str,
    tool: &str,
    args: MultiValue,
    force: bool,
) -> Result<(String, bool, Value), String> {
    let arguments = object_argument(lua, args.into_iter().next(), &format!("app.mcp.{server}.{tool}"))?;
    let invocation = servers.call(server, tool, arguments, force).await?;
    let value = json_to_lua(lua, &invocation.result).map_err(|e| e.to_string())?;
    Ok((invocation.tool.title, invocation.permission_bypassed, value))
}

/// A table of named arguments (or nothing) as a JSON object.
fn object_argument(lua: &Lua, value: Option<Value>, what: &str) -> Result<serde_json::Map<String, Json>, String> {
    match value {
        None | Some(Value::Nil) => Ok(Default::default()),
        Some(value @ Value::Table(_)) => match lua_to_json(lua, &value, Strictness::Strict) {
            Ok(Json::Object(map)) => Ok(map),
            Ok(Json::Array(items)) if items.is_empty() => Ok(Default::default()),
            Ok(_) => Err(format!("{what} takes a table of named arguments, e.g. {{ message = \"hi\" }}, not a list")),
            Err(e) => Err(format!("{what}: {e}")),
        },
        Some(other) => Err(format!("{what} takes a table of named arguments, not a {}", other.type_name())),
    }
}

/// `mcp.servers`, `tools`, `schema`, `resources`, `read_resource`, `prompts`, `get_prompt`.
fn install_helpers(lua: &Lua, helpers: &Table, servers: Arc<McpServers>) -> mlua::Result<()> {
    let all = servers.clone();
    helpers.raw_set(
        "servers",
        lua.create_function(move |lua, ()| {
            let rows = all.describe().map_err(mlua::Error::runtime)?;
            json_to_lua(lua, &rows)
        })?,
    )?;
    let listing = servers.clone();
    helpers.raw_set(
        "tools",
        lua.create_async_function(move |lua, server: Option<String>| {
            let servers = listing.clone();
            async move {
                let rows = waiting(&lua, servers.tool_rows(server.as_deref())).await.map_err(mlua::Error::runtime)?;
                json_to_lua(&lua, &rows)
            }
        })?,
    )?;
    let schemas = servers.clone();
    helpers.raw_set(
        "schema",
        lua.create_async_function(move |lua, full_name: String| {
            let servers = schemas.clone();
            async move {
                let (server, tool) = split(&full_name, "mcp.schema").map_err(mlua::Error::runtime)?;
                let session = waiting(&lua, servers.session(server)).await.map_err(mlua::Error::runtime)?;
                let schema = session.tool(tool).map_err(mlua::Error::runtime)?.schema.clone();
                json_to_lua(&lua, &schema)
            }
        })?,
    )?;
    let reader = servers.clone();
    helpers.raw_set(
        "resources",
        lua.create_async_function(move |lua, server: String| {
            let servers = reader.clone();
            async move {
                let session = waiting(&lua, servers.session(&server)).await.map_err(mlua::Error::runtime)?;
                let listed = waiting(&lua, session.resources()).await.map_err(mlua::Error::runtime)?;
                json_to_lua(&lua, &listed)
            }
        })?,
    )?;
    let reader = servers.clone();
    helpers.raw_set(
        "read_resource",
        lua.create_async_function(move |lua, (server, uri): (String, String)| {
            let servers = reader.clone();
            async move {
                let session = waiting(&lua, servers.session(&server)).await.map_err(mlua::Error::runtime)?;
                let read = waiting(&lua, session.read_resource(&uri)).await.map_err(mlua::Error::runtime)?;
                let contents = read.get("contents").cloned().unwrap_or(Json::Array(Vec::new()));
                crate::runtime::check_result_size(&contents.to_string())
                    .map_err(|e| mlua::Error::runtime(format!("mcp.read_resource({server}, {uri}): {e}")))?;
                json_to_lua(&lua, &contents)
            }
        })?,
    )?;
    let prompts = servers.clone();
    helpers.raw_set(
        "prompts",
        lua.create_async_function(move |lua, server: String| {
            let servers = prompts.clone();
            async move {
                let session = waiting(&lua, servers.session(&server)).await.map_err(mlua::Error::runtime)?;
                let listed = waiting(&lua, session.prompts()).await.map_err(mlua::Error::runtime)?;
                json_to_lua(&lua, &listed)
            }
        })?,
    )?;
    let prompter = servers;
    helpers.raw_set(
        "get_prompt",
        lua.create_async_function(move |lua, (server, name, args): (String, String, Option<Value>)| {
            let servers = prompter.clone();
            async move {
                let arguments = object_argument(&lua, args, &format!("mcp.get_prompt({server}, {name})"))
                    .map_err(mlua::Error::runtime)?;
                let session = waiting(&lua, servers.session(&server)).await.map_err(mlua::Error::runtime)?;
                let prompt = waiting(&lua, session.get_prompt(&name, arguments)).await.map_err(mlua::Error::runtime)?;
                crate::runtime::check_result_size(&prompt.to_string())
                    .map_err(|e| mlua::Error::runtime(format!("mcp.get_prompt({server}, {name}): {e}")))?;
                json_to_lua(&lua, &prompt)
            }
        })?,
    )?;
    Ok(())
}

/// Awaits `work` as a call in flight, so the CPU hook does not yield under it.
async fn waiting<T>(lua: &Lua, work: impl Future<Output = T>) -> T {
    let in_flight = lua.app_data_ref::<CallsInFlight>().map(|calls| calls.enter());
    let result = work.await;
    drop(in_flight);
    result
}

/// `"server.tool"` → (`server`, `tool`).
fn split<'a>(full_name: &'a str, what: &str) -> Result<(&'a str, &'a str), String> {
    full_name
        .split_once('.')
        .filter(|(server, tool)| !server.is_empty() && !tool.is_empty())
        .ok_or_else(|| format!("{what} takes \"<server>.<tool>\", not {full_name:?}"))
}
