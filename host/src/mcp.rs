//! The Model Context Protocol server of `kosmo mcp:serve` (the `rmcp` crate,
//! stdio transport). Every tool of every plugin is an MCP tool named
//! `<id>_<tool>`, with the plugin's JSON Schema and the annotations of its
//! Read/Write class. Tools are dynamic (they come from plugins, and change on
//! a hot swap), so `tools/list` and `tools/call` are written by hand.
//!
//! Each call looks up the current version of its plugin in the host's
//! catalog and goes through [`Host::invoke_plugin`]: the permission policy, account and
//! credential steps of every other front end. MCP has no approval prompt:
//! `ask` is refused unless the server runs with `--force`; `deny` is absolute.
//! A failed call is a tool result with `isError: true` and the message.

mod progress;

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::host::{CallOptions, Host};
use crate::log;
use crate::permission::OperationKind;
use crate::registry::Catalog;
use crate::runtime::{Plugin, ToolInfo};

pub struct KosmoMcp {
    host: Arc<Host>,
    /// The named account every call runs for.
    account: String,
    /// Let `ask` through, as `--force` does elsewhere.
    force: bool,
}

impl KosmoMcp {
    pub fn new(host: Arc<Host>, account: String, force: bool) -> KosmoMcp {
        KosmoMcp { host, account, force }
    }
}

/// `<id>_<tool>`: the MCP name of a plugin's tool.
pub fn tool_name(plugin: &Plugin, tool: &ToolInfo) -> String {
    format!("{}_{}", plugin.id(), tool.name)
}

/// The tools of a catalog in listing order. Two pairs that spell the same
/// name (`a_b` + `c`, `a` + `b_c`) cannot both be reached: the first is kept.
fn tools(catalog: &Catalog) -> Vec<(String, &Arc<Plugin>, &ToolInfo)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for plugin in catalog.plugins() {
        for tool in &plugin.tools {
            let name = tool_name(plugin, tool);
            if seen.insert(name.clone()) {
                out.push((name, plugin, tool));
            }
        }
    }
    out
}

/// The MCP description of one tool.
pub fn describe(plugin: &Plugin, tool: &ToolInfo) -> Tool {
    let schema: JsonObject = match &tool.input_schema {
        serde_json::Value::Object(schema) => schema.clone(),
        _ => serde_json::json!({"type": "object"}).as_object().cloned().unwrap_or_default(),
    };
    let annotations = ToolAnnotations::with_title(tool.title.clone());
    let annotations = match tool.operation {
        OperationKind::Read => annotations.read_only(true),
        OperationKind::Write => annotations.read_only(false).destructive(true),
    };
    Tool::new(tool_name(plugin, tool), tool.description.clone(), Arc::new(schema))
        .with_title(tool.title.clone())
        .with_annotations(annotations)
}

impl ServerHandler for KosmoMcp {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("kosmo", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Integrations run as sandboxed plugins. Tools are named <integration>_<tool> (e.g. \
                 ringcentral_list_messages) and answer JSON text. Read tools are annotated readOnlyHint, write \
                 tools destructiveHint; write tools run only when the permission policy allows them{}. \
                 Calls run for the '{}' account.",
                if self.force {
                    " (this server was started with --force: `ask` is allowed, `deny` is not)"
                } else {
                    ""
                },
                self.account
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let catalog = self.host.catalog();
        let tools = tools(&catalog).into_iter().map(|(_, plugin, tool)| describe(plugin, tool)).collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // The version current now serves this call to its end, whatever is swapped in meanwhile.
        let found = {
            let catalog = self.host.catalog();
            tools(&catalog)
                .into_iter()
                .find(|(name, _, _)| *name == request.name)
                .map(|(_, plugin, tool)| (plugin.clone(), tool.name.clone()))
        };
        let Some((plugin, tool)) = found else {
            let catalog = self.host.catalog();
            let listed = tools(&catalog);
            let names: Vec<&str> = listed.iter().map(|(name, _, _)| name.as_str()).collect();
            let hint = kosmo_suggest::hint(&request.name, &names);
            return Ok(failure(format!("unknown tool '{}'.{hint}", request.name)));
        };
        let arguments = serde_json::Value::Object(request.arguments.unwrap_or_default());
        let on_wait = context.meta.get_progress_token().map(|token| progress::notifier(context.peer.clone(), token));
        let options = CallOptions { force: self.force, on_wait, ..CallOptions::default() };
        let started = Instant::now();
        let outcome = self.host.invoke_plugin(&plugin, &self.account, &tool, &arguments, &options).await;
        log::debug(format!(
            "mcp: {} served by '{}' {} in {}: {}",
            request.name,
            plugin.id(),
            plugin.manifest.version,
            log::ms(started.elapsed()),
            if outcome.is_ok() { "ok" } else { "error" }
        ));
        Ok(match outcome {
            Ok(invocation) => CallToolResult::success(vec![ContentBlock::text(invocation.result.to_string())]).into(),
            Err(message) => failure(message),
        })
    }
}

fn failure(message: String) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(message)]).into()
}
