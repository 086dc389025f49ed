//! `integrations:list`, `integrations:docs` and `integrations:schema`: what is
//! loaded and how to call it.

use std::process::ExitCode;

use clap::Args;

use super::{load_host, pretty_json, split_function, write_stdout};
use crate::host::Host;
use crate::untrusted_text::Line;

#[derive(Args)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
#[command(after_help = "Examples:\n  kosmo integrations:docs\n  kosmo integrations:docs ringcentral\n  \
kosmo integrations:docs ringcentral.send_sms")]
pub struct DocsArgs {
    /// `<integration>` or `<integration>.<function>`; none lists what is loaded.
    page: Option<String>,
}

#[derive(Args)]
#[command(after_help = "Example:\n  kosmo integrations:schema ringcentral.list_messages")]
pub struct SchemaArgs {
    /// `<integration>.<function>`, e.g. ringcentral.list_messages.
    function: String,
}

pub async fn list(args: ListArgs) -> ExitCode {
    let host = match load_host().await {
        Ok(host) => host,
        Err(message) => return fail(&message),
    };
    if args.json {
        let shadowed = host.shadowed_tools();
        let integrations: Vec<serde_json::Value> = host
            .catalog()
            .plugins()
            .iter()
            .map(|p| {
                let functions: Vec<serde_json::Value> = p
                    .tools
                    .iter()
                    .map(|t| {
                        let mut function = serde_json::json!({
                            "name": t.name, "title": t.title, "operation": t.operation.as_str(),
                        });
                        if let Some((_, _, note)) =
                            shadowed.iter().find(|(s, name, _)| s.id() == p.id() && *name == t.name)
                        {
                            function["shadowed"] = serde_json::json!(note);
                        }
                        function
                    })
                    .collect();
                serde_json::json!({
                    "id": p.id(),
                    "name": p.manifest.name,
                    "version": p.manifest.version,
                    "api_version": p.manifest.api_version,
                    "path": p.path.display().to_string(),
                    "builtin": p.builtin,
                    "accounts": host.settings.account_names(p.id()),
                    "functions": functions,
                })
            })
            .collect();
        write_stdout(&format!("{}\n", pretty_json(&integrations)));
    } else {
        write_stdout(&listing(&host));
    }
    ExitCode::SUCCESS
}

fn listing(host: &Host) -> String {
    let shadowed = host.shadowed_tools();
    let mut out = String::new();
    for plugin in host.catalog().plugins() {
        let accounts = host.settings.account_names(plugin.id());
        out.push_str(&format!(
            "{} — {} {} ({} functions; accounts: {}; {})\n",
            plugin.id(),
            Line(&plugin.manifest.name),
            Line(&plugin.manifest.version),
            plugin.tools.len(),
            if accounts.is_empty() { "none configured".into() } else { accounts.join(", ") },
            if plugin.builtin {
                "built into kosmo: a file of this id in the plugin directory overrides it".to_string()
            } else {
                format!("from {}", plugin.path.display())
            }
        ));
        for tool in &plugin.tools {
            out.push_str(&format!("  {:<32} {:<5} {}\n", tool.name, tool.operation.as_str(), Line(&tool.title)));
            if let Some((_, _, note)) = shadowed.iter().find(|(p, name, _)| p.id() == plugin.id() && *name == tool.name)
            {
                out.push_str(&format!("    note: {}\n", Line(note)));
            }
        }
    }
    if out.is_empty() {
        out.push_str("No integrations loaded (set KOSMO_PLUGIN_DIR).\n");
    }
    out
}

pub async fn docs(args: DocsArgs) -> ExitCode {
    let host = match load_host().await {
        Ok(host) => host,
        Err(message) => return fail(&message),
    };
    let Some(page) = args.page else {
        write_stdout(&listing(&host));
        return ExitCode::SUCCESS;
    };
    if page == "mcp" {
        write_stdout(crate::mcp_client::DOCS);
        return ExitCode::SUCCESS;
    }
    let (id, topic) = page.split_once('.').unwrap_or((page.as_str(), ""));
    let Some(plugin) = host.plugin(id) else {
        let catalog = host.catalog();
        let ids: Vec<&str> = catalog.plugins().iter().map(|p| p.id()).collect();
        return fail(&format!("no integration '{id}' is loaded.{}", kosmo_suggest::hint(id, &ids)));
    };
    match host.runtime.read_docs(&plugin, topic).await {
        Ok(Some(text)) => {
            write_stdout(&format!("{}\n", text.trim_end()));
            ExitCode::SUCCESS
        }
        Ok(None) => {
            let names: Vec<&str> = plugin.tools.iter().map(|t| t.name.as_str()).collect();
            let hint = kosmo_suggest::closest(topic, &names)
                .map(|name| format!(" Did you mean '{id}.{name}'?"))
                .unwrap_or_default();
            fail(&format!("no docs page '{page}'.{hint} Try `kosmo integrations:docs {id}`."))
        }
        Err(e) => fail(&format!("reading the docs failed: {e}")),
    }
}

pub async fn schema(args: SchemaArgs) -> ExitCode {
    let (id, name) = match split_function(&args.function) {
        Ok(parts) => parts,
        Err(message) => return fail(&message),
    };
    let host = match load_host().await {
        Ok(host) => host,
        Err(message) => return fail(&message),
    };
    let Some(plugin) = host.plugin(id) else { return fail(&format!("no integration '{id}' is loaded")) };
    let Some(tool) = plugin.tool(name) else {
        let names: Vec<&str> = plugin.tools.iter().map(|t| t.name.as_str()).collect();
        let hint = kosmo_suggest::hint(name, &names);
        return fail(&format!("unknown function {id}.{name}.{hint}"));
    };
    write_stdout(&format!("{}\n", pretty_json(&tool.input_schema)));
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    crate::log::failure(message);
    ExitCode::FAILURE
}
