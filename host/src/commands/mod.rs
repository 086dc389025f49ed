//! The command-line commands, one module each, sharing host start-up and output.

pub mod call;
pub mod catalog;
pub mod inspect;
pub mod lua;
pub mod mcp;
pub mod mcp_lua;
pub mod repl;

use std::io::Write;

use crate::cache::CompileCache;
use crate::config::Settings;
use crate::host::Host;
use crate::runtime::{CallLimits, Runtime};
use crate::untrusted_text;

/// Loads settings and every plugin of the plugin directory.
pub async fn load_host() -> Result<Host, String> {
    let settings = Settings::load()?;
    let runtime = new_one_shot_runtime()?;
    let host = Host::load(runtime, settings).await;
    if host.catalog().plugins().is_empty() {
        crate::log::warn(format!("no plugins loaded from {} (set KOSMO_PLUGIN_DIR)", host.registry.dir().display()));
    }
    for (_, _, note) in host.shadowed_tools() {
        crate::log::warn(note);
    }
    warn_unknown_integrations(&host);
    Ok(host)
}

/// A config section for an integration no plugin serves is most likely a
/// misspelt id: its settings would be silently ignored.
fn warn_unknown_integrations(host: &Host) {
    let catalog = host.catalog();
    let loaded: Vec<&str> = catalog.plugins().iter().map(|p| p.id()).collect();
    for id in host.settings.configured_integrations() {
        if !loaded.contains(&id) {
            let hint = kosmo_suggest::hint(id, &loaded);
            let loaded = if loaded.is_empty() { "none".to_string() } else { loaded.join(", ") };
            crate::log::warn(format!(
                "the config file has a section for the integration '{id}', which no loaded plugin serves \
                 (loaded: {loaded}); its settings are not used.{hint}"
            ));
        }
    }
}

/// The plugin runtime of a server: the default limits and the compile cache.
pub fn new_runtime() -> Result<Runtime, String> {
    runtime_with(CallLimits::default())
}

/// The runtime of a one-shot command, which makes one call at a time: a
/// small instance pool is quicker to set up and tear down.
pub fn new_one_shot_runtime() -> Result<Runtime, String> {
    runtime_with(CallLimits { concurrent_calls: 2, ..CallLimits::default() })
}

fn runtime_with(limits: CallLimits) -> Result<Runtime, String> {
    let mut runtime = Runtime::new(limits).map_err(|e| format!("cannot start wasmtime: {e:#}"))?;
    runtime.set_cache(CompileCache::from_env());
    Ok(runtime)
}

/// Writes to stdout, with control characters escaped (what is shown quotes
/// plugins and servers; JSON from [`pretty_json`] has none left to escape);
/// a reader that went away (`| head`) is not an error.
pub fn write_stdout(text: &str) {
    let text = untrusted_text::block(text);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// JSON as the original CLI printed it: indented by four spaces, with every
/// control character a JSON escape (DEL and C1 included).
pub fn pretty_json(value: &impl serde::Serialize) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer).expect("plain data serializes");
    untrusted_text::json(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

/// `ringcentral.list_messages` → (`ringcentral`, `list_messages`).
pub fn split_function(name: &str) -> Result<(&str, &str), String> {
    let name = name.strip_prefix("app.").unwrap_or(name);
    let name = name.strip_prefix("integrations.").unwrap_or(name);
    name.split_once('.').filter(|(id, tool)| !id.is_empty() && !tool.is_empty()).ok_or_else(|| {
        format!("'{name}' is not a function name; write <integration>.<function>, e.g. ringcentral.list_messages")
    })
}
