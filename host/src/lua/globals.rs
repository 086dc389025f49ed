//! Host globals for scripts: `print`, `dump`, `sleep`, `json`, `docs.*` and `lua_read_doc`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mlua::{Lua, MultiValue, Table, Value};

use super::convert::{Strictness, json_to_lua, lua_to_json};
use super::errors;
use super::guide;
use super::render::render;
use super::sandbox::CallsInFlight;
use crate::host::Host;

/// Writes one printed entry where it is shown as it happens (stdout in text mode).
pub type Echo = Box<dyn Fn(&str) + Send + Sync>;

/// What scripts print; each `print`/`dump` call is one entry. With an echo
/// each entry is written when it is printed (so a script killed later has
/// shown it); without one they are kept for the envelope.
pub struct Output {
    kept: Mutex<Vec<String>>,
    echo: Option<Echo>,
}

impl Output {
    pub fn new(echo: Option<Echo>) -> Arc<Output> {
        Arc::new(Output { kept: Mutex::default(), echo })
    }

    fn push(&self, entry: String) {
        match &self.echo {
            Some(echo) => echo(&entry),
            None => self.kept.lock().unwrap_or_else(|e| e.into_inner()).push(entry),
        }
    }

    /// The entries kept so far (none when echoed).
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

pub fn install_output(lua: &Lua, env: &Table, output: Arc<Output>) -> mlua::Result<()> {
    let sink = output.clone();
    let print = lua.create_function(move |lua, args: MultiValue| {
        let line = args.iter().map(|v| render(lua, v)).collect::<Vec<_>>().join("\t");
        sink.push(line);
        Ok(())
    })?;
    let dump = lua.create_function(move |lua, args: MultiValue| {
        let value = args.into_iter().next().unwrap_or(Value::Nil);
        output.push(render(lua, &value));
        Ok(value)
    })?;
    env.raw_set("print", print)?;
    env.raw_set("dump", dump)?;
    Ok(())
}

/// `sleep(seconds)`: waits, within the script's time limit (a sleep that
/// would end past it is refused at once, naming the limit).
pub fn install_sleep(lua: &Lua, env: &Table) -> mlua::Result<()> {
    let sleep = lua.create_async_function(|lua, seconds: f64| async move {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(errors::at_script(&lua, format!("sleep: seconds must be a number of 0 or more, got {seconds}")));
        }
        let wanted = Duration::from_secs_f64(seconds);
        if let Some(deadline) = lua.app_data_ref::<crate::pacing::Deadline>().map(|d| d.at) {
            let left = deadline.saturating_duration_since(Instant::now());
            if wanted > left {
                return Err(errors::at_script(&lua, format!(
                    "sleep({seconds}) would end past the script's time limit ({:.1} s left; raise it with --cpu-limit)",
                    left.as_secs_f64()
                )));
            }
        }
        // Counted as a call in flight: the CPU hook must not yield while mlua polls it.
        let _in_flight = lua.app_data_ref::<CallsInFlight>().map(|calls| calls.enter());
        tokio::time::sleep(wanted).await;
        Ok(())
    })?;
    env.raw_set("sleep", sleep)
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
    if let Some(text) = guide::page(page) {
        return Ok(text.to_string());
    }
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
    let own: Vec<&str> = guide::PAGES.iter().map(|(page, _)| *page).collect();
    out.push_str(&format!("\nScript helpers: {}\n", own.join(", ")));
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
