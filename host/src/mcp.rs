//! The Model Context Protocol server of `kosmo mcp:serve` (the `rmcp` crate,
//! stdio transport). Every tool of every plugin is an MCP tool named
//! `<id>_<tool>`, with the plugin's JSON Schemas (`inputSchema`, and
//! `outputSchema` when the plugin declares one) and annotations from its
//! Read/Write class and effects. Tools are dynamic (they come from plugins, and change on
//! a hot swap), so `tools/list` and `tools/call` are written by hand.
//!
//! Each call looks up the current version of its plugin in the host's
//! catalog and goes through [`Host::invoke_plugin`]: the permission policy, account and
//! credential steps of every other front end. A write under `ask` is confirmed
//! by the client's user where the client can elicit (`mcp/confirm.rs`, both
//! protocol eras), else refused unless the server runs with `--force`; `deny`
//! is absolute.
//! A failed call is a tool result with `isError: true` and the message. A
//! result is the JSON text, and also `structuredContent` when the tool has an
//! output schema and the result is an object (as `structuredContent` must be);
//! any other result is served as text alone.

pub mod http;

mod confirm;

mod progress;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
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
    /// How long a confirmation waits for the user.
    confirm_timeout: Duration,
    /// Confirmations handed to 2026-07-28 clients, awaiting their retry.
    rounds: confirm::Rounds,
}

impl KosmoMcp {
    pub fn new(host: Arc<Host>, account: String, force: bool) -> KosmoMcp {
        let confirm_timeout = crate::confirm::DEFAULT_TIMEOUT;
        KosmoMcp { host, account, force, confirm_timeout, rounds: confirm::Rounds::default() }
    }

    pub fn with_confirm_timeout(mut self, timeout: Duration) -> KosmoMcp {
        self.confirm_timeout = timeout;
        self
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
    // Every tool reaches a remote API: an open world.
    let annotations = ToolAnnotations::with_title(tool.title.clone()).open_world(true);
    let annotations = match tool.operation {
        OperationKind::Read => annotations.read_only(true).destructive(false).idempotent(true),
        OperationKind::Write => annotations.read_only(false).destructive(tool.destructive).idempotent(tool.idempotent),
    };
    let described = Tool::new(tool_name(plugin, tool), tool.description.clone(), Arc::new(schema))
        .with_title(tool.title.clone())
        .with_annotations(annotations);
    match &tool.output_schema {
        Some(serde_json::Value::Object(output)) => described.with_raw_output_schema(Arc::new(output.clone())),
        _ => described,
    }
}

/// How long a client may reuse a `tools/list` answer: not at all, since a hot
/// swap may change it at any moment (sessions are told by `list_changed`).
const TOOLS_LIST_TTL_MS: u64 = 0;

/// A successful call's answer: the JSON text, and the same JSON as
/// `structuredContent` when the tool promised an object and this is one.
fn success(tool: Option<&ToolInfo>, result: serde_json::Value) -> CallToolResponse {
    let structured = tool.is_some_and(|t| t.output_schema.is_some()) && result.is_object();
    if structured {
        CallToolResult::structured(result).into()
    } else {
        CallToolResult::success(vec![ContentBlock::text(result.to_string())]).into()
    }
}

impl ServerHandler for KosmoMcp {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("kosmo", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Integrations run as sandboxed plugins. Tools are named <integration>_<tool> (e.g. \
                 ringcentral_list_messages) and answer JSON (text, and structuredContent per the tool's outputSchema). \
                 Read tools are annotated readOnlyHint, deletes and overwrites destructiveHint; write tools run only \
                 when the permission policy allows them or the user confirms them (clients with elicitation are asked){}. \
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
        Ok(ListToolsResult::with_all_items(tools).with_ttl_ms(TOOLS_LIST_TTL_MS).with_cache_scope(CacheScope::Private))
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
        let arguments = serde_json::Value::Object(request.arguments.clone().unwrap_or_default());
        let route = match self.rounds.route(&context, &request, self.confirm_timeout) {
            Ok(route) => route,
            Err(message) => return Ok(failure(message)),
        };
        let options = CallOptions {
            force: self.force,
            confirmer: route.confirmer(),
            confirm_timeout: Some(self.confirm_timeout),
            on_wait: context.meta.get_progress_token().map(|token| progress::notifier(context.peer.clone(), token)),
            ..CallOptions::default()
        };
        let started = Instant::now();
        let outcome = self.host.invoke_plugin(&plugin, &self.account, &tool, &arguments, &options).await;
        if let (confirm::Route::Defer(deferring), Err(_)) = (&route, &outcome)
            && let Some(question) = deferring.question()
        {
            return Ok(self.rounds.input_required(&request, &question).into());
        }
        log::debug(format!(
            "mcp: {} served by '{}' {} in {}: {}",
            request.name,
            plugin.id(),
            plugin.manifest.version,
            log::ms(started.elapsed()),
            if outcome.is_ok() { "ok" } else { "error" }
        ));
        Ok(match outcome {
            Ok(invocation) => match crate::mcp_media::answer(&tool, &invocation.result) {
                Some(media) => media.into(),
                None => success(plugin.tool(&tool), invocation.result),
            },
            Err(message) => failure(message),
        })
    }
}

fn failure(message: String) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(message)]).into()
}
