//! Host globals for scripts: `print`, `dump`, `json`, `docs.*` and `lua_read_doc`.

use std::sync::{Arc, Mutex};

use mlua::{Lua, MultiValue, Table, Value};

use super::convert::{Strictness, json_to_lua, lua_to_json};
use super::render::render;
use crate::host::Host;

/// Everything scripts printed; each `print`/`dump` call is one entry.
pub type Output = Arc<Mutex<Vec<String>>>;

pub fn install_output(lua: &Lua, env: &Table, output: Output) -> mlua::Result<()> {
    let sink = output.clone();
    let print = lua.create_function(move |lua, args: MultiValue| {
        let line = args.iter().map(|v| render(lua, v)).collect::<Vec<_>>().join("\t");
        sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        Ok(())
    })?;
    let dump = lua.create_function(move |lua, args: MultiValue| {
        let value = args.into_iter().next().unwrap_or(Value::Nil);
        output.lock().unwrap_or_else(|e| e.into_inner()).push(render(lua, &value));
        Ok(value)
    })?;
    env.raw_set("print", print)?;
    env.raw_set("dump", dump)?;
    Ok(())
}

pub fn install_json(lua: &Lua, env: &Table) -> mlua::Result<()> {
    let json = lua.create_table()?;
    json.raw_set(
        "encode",
        lua.create_function(|lua, value: Value| {
            let encoded = lua_to_json(lua, &value, Strictness::Strict)
                .map_err(|e| mlua::Error::runtime(format!("json.encode: {e}")))?;
            Ok(encoded.to_string())
        })?,
    )?;
    json.raw_set(
        "decode",
        lua.create_function(|lua, text: Value| {
            let Value::String(text) = text else {
                return Err(mlua::Error::runtime(format!("json.decode: expected string, got {}", text.type_name())));
            };
            let parsed: serde_json::Value = serde_json::from_slice(&text.as_bytes())
                .map_err(|e| mlua::Error::runtime(format!("json.decode: {e}")))?;
            json_to_lua(lua, &parsed)
        })?,
    )?;
    json.raw_set("null", Value::NULL)?;
    env.raw_set("json", json)?;
    Ok(())
}

pub fn install_docs(lua: &Lua, env: &Table, host: Arc<Host>) -> mlua::Result<()> {
    let docs = lua.create_table()?;
    let reader = host.clone();
    docs.raw_set(
        "read",
        lua.create_async_function(move |_, page: String| {
            let host = reader.clone();
            async move { read_page(&host, &page).await.map_err(mlua::Error::runtime) }
        })?,
    )?;
    let lister = host.clone();
    docs.raw_set("list", lua.create_function(move |_, ()| Ok(list_pages(&lister)))?)?;
    let searcher = host.clone();
    docs.raw_set("search", lua.create_function(move |_, query: String| Ok(search(&searcher, &query)))?)?;
    env.raw_set("docs", docs)?;

    let reader = host;
    env.raw_set(
        "lua_read_doc",
        lua.create_async_function(move |_, page: String| {
            let host = reader.clone();
            async move {
                let page = page.trim().trim_start_matches("app.");
                let page = page.strip_prefix("integrations.").unwrap_or(page);
                read_page(&host, page).await.map_err(mlua::Error::runtime)
            }
        })?,
    )?;
    Ok(())
}

/// `"<id>"` → the integration's reference; `"<id>.<tool>"` → one tool's page.
async fn read_page(host: &Host, page: &str) -> Result<String, String> {
    if page == "mcp" {
        return Ok(crate::mcp_client::DOCS.to_string());
    }
    let (id, topic) = page.split_once('.').unwrap_or((page, ""));
    let Some(plugin) = host.plugin(id) else {
        return Ok(format!("No integration docs found for '{page}'. Try docs.list()."));
    };
    match host.runtime.read_docs(&plugin, topic).await.map_err(|e| format!("docs.read: {e}"))? {
        Some(text) => Ok(text),
        None => Ok(format!("No integration docs found for '{page}'. Try docs.read(\"{id}\").")),
    }
}

fn list_pages(host: &Host) -> String {
    let mut out = String::from("Integrations (read one with docs.read(\"<id>\") or docs.read(\"<id>.<function>\")):\n");
    out.push_str("\nmcp — configured MCP servers as app.mcp.<server>.<tool> (docs.read(\"mcp\"))\n");
    for plugin in host.catalog().plugins() {
        out.push_str(&format!("\n{} — {} ({} functions)\n", plugin.id(), plugin.manifest.name, plugin.tools.len()));
        for tool in &plugin.tools {
            out.push_str(&format!("  {}.{:<30} {}\n", plugin.id(), tool.name, tool.operation.as_str()));
        }
    }
    out
}

fn search(host: &Host, query: &str) -> String {
    let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut hits: Vec<(usize, String)> = Vec::new();
    for plugin in host.catalog().plugins() {
        for tool in &plugin.tools {
            let full = format!("{}.{}", plugin.id(), tool.name);
            let haystack = format!("{full} {} {}", tool.title, tool.description).to_lowercase();
            let score = terms.iter().filter(|t| haystack.contains(t.as_str())).count()
                + terms.iter().filter(|t| full.contains(t.as_str())).count() * 3;
            if score > 0 {
                hits.push((score, format!("{full} - {}", tool.description)));
            }
        }
    }
    hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    hits.into_iter().take(20).map(|(_, line)| line).collect::<Vec<_>>().join("\n")
}
