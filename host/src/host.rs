//! What one kosmo process serves: the runtime, the plugin registry and the
//! settings (accounts, credentials, permissions), and the one path every tool
//! call takes, whether it comes from Lua, the command line or MCP.

use std::sync::Arc;

use crate::config::{self, Account, DEFAULT_ACCOUNT, Settings};
use crate::credentials::{self, Access};
use crate::pacing::{Deadline, WaitSink};
use crate::permission;
use crate::registry::{Catalog, Registry};
use crate::runtime::{CallError, Plugin, Runtime, ToolError};

pub struct Host {
    pub runtime: Arc<Runtime>,
    /// The plugins served: scanned once at start, and watched by `mcp:serve`.
    pub registry: Arc<Registry>,
    pub settings: Settings,
}

/// How one call may proceed, as its front end chose: the place for every
/// per-call choice (`--force` now; confirmation, preview, pacing deadlines).
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Let a permission of `ask` through (`--force`); `deny` still refuses.
    pub force: bool,
    /// Rate-limit waits must not pass this (the script's time limit); the
    /// plugin call's own time limit bounds them in any case.
    pub deadline: Option<Deadline>,
    /// Told of each rate-limit wait as it starts; `None`: a progress line on stderr.
    pub on_wait: Option<WaitSink>,
}

/// A successful tool call.
pub struct Invocation {
    pub result: serde_json::Value,
    /// `--force` let this call through a permission of `ask`.
    pub permission_bypassed: bool,
}

impl Host {
    /// The host of `settings`, with the plugin directory loaded as it is now;
    /// a bad file is skipped with a warning that names it and says why.
    pub async fn load(runtime: Runtime, settings: Settings) -> Host {
        let registry = Registry::new(config::plugin_dir(), settings.plugin_pins());
        registry.scan(&runtime).await;
        Host { runtime: Arc::new(runtime), registry: Arc::new(registry), settings }
    }

    /// The plugins served now; the catalog does not change under the caller.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.registry.snapshot()
    }

    /// The version of plugin `id` served now; a call keeps it to its end.
    pub fn plugin(&self, id: &str) -> Option<Arc<Plugin>> {
        self.catalog().plugin(id).cloned()
    }

    /// Tools a configured account hides in Lua: `app.integrations.<id>.<name>`
    /// is the account `<name>` (or `default`), so such a tool is reached as
    /// `app.integrations.<id>.default.<name>`. Each with a note that says so.
    pub fn shadowed_tools(&self) -> Vec<(Arc<Plugin>, String, String)> {
        let mut shadowed = Vec::new();
        for plugin in self.catalog().plugins() {
            let id = plugin.id();
            let mut accounts = self.settings.account_names(id);
            if !accounts.iter().any(|a| a == DEFAULT_ACCOUNT) {
                accounts.push(DEFAULT_ACCOUNT.to_string());
            }
            for tool in plugin.tools.iter().filter(|t| accounts.contains(&t.name)) {
                let name = &tool.name;
                let note = format!(
                    "the account '{name}' shadows the tool {id}.{name} in Lua (app.integrations.{id}.{name} is the \
                     account): call it as app.integrations.{id}.default.{name}, or `kosmo integrations:call {id}.{name}`"
                );
                shadowed.push((plugin.clone(), name.clone(), note));
            }
        }
        shadowed
    }

    /// Permission check, account and credential, then the plugin call. Nothing
    /// is sent when any step before the call refuses.
    pub async fn invoke(
        &self,
        id: &str,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        options: &CallOptions,
    ) -> Result<Invocation, String> {
        let plugin = self.find(id)?;
        self.invoke_plugin(&plugin, account, tool_name, arguments, options).await
    }

    /// [`Host::invoke`] on a given plugin (the version a hot-swapping registry
    /// handed out): the same permission, account and credential steps.
    pub async fn invoke_plugin(
        &self,
        plugin: &Plugin,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        options: &CallOptions,
    ) -> Result<Invocation, String> {
        let id = plugin.id();
        let (account, permission_bypassed) = self.admit(plugin, account, tool_name, options.force)?;
        let mut access = credentials::access(&account).await?;
        if let Some(pacing) = &mut access.pacing {
            pacing.deadline = options.deadline.clone();
            pacing.progress = options.on_wait.as_ref().map(|sink| sink.0.clone());
        }
        let result = self
            .runtime
            .call_tool(plugin, tool_name, &arguments.to_string(), &access)
            .await
            .map_err(|e| format!("{id}.{tool_name}: {e}"))?;
        let result = serde_json::from_str(&result)
            .map_err(|e| format!("{id}.{tool_name}: the plugin returned invalid JSON: {e}"))?;
        Ok(Invocation { result, permission_bypassed })
    }

    /// Everything `invoke` checks, with the plugin validating the arguments and
    /// building its request, but a gate that admits nothing and no credential:
    /// the request the plugin built is logged as denied, and nothing is sent.
    pub async fn dry_run(
        &self,
        id: &str,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        options: &CallOptions,
    ) -> Result<Invocation, String> {
        let plugin = self.find(id)?;
        let (account, permission_bypassed) = self.admit(&plugin, account, tool_name, options.force)?;
        let access = Access::offline(account.name.clone(), account.server.to_url());
        match self.runtime.call_tool(&plugin, tool_name, &arguments.to_string(), &access).await {
            Ok(_) | Err(CallError::Tool { error: ToolError::Denied(_), .. }) => Ok(Invocation {
                result: serde_json::json!({ "dry_run": true, "valid": true, "sent": false }),
                permission_bypassed,
            }),
            Err(e) => Err(format!("{id}.{tool_name}: {e}")),
        }
    }

    fn find(&self, id: &str) -> Result<Arc<Plugin>, String> {
        let catalog = self.catalog();
        catalog.plugin(id).cloned().ok_or_else(|| {
            let ids: Vec<&str> = catalog.plugins().iter().map(|p| p.id()).collect();
            format!(
                "unknown integration '{id}'; loaded: {}",
                if ids.is_empty() { "none".into() } else { ids.join(", ") }
            )
        })
    }

    /// The resolved account and whether `--force` was needed; the error says
    /// which check refused.
    fn admit(&self, plugin: &Plugin, account: &str, tool_name: &str, force: bool) -> Result<(Account, bool), String> {
        let id = plugin.id();
        let tool = plugin.tool(tool_name).ok_or_else(|| {
            let names: Vec<&str> = plugin.tools.iter().map(|t| t.name.as_str()).collect();
            let hint = kosmo_suggest::hint(tool_name, &names);
            format!("unknown function {id}.{tool_name}.{hint}")
        })?;
        let permission_bypassed = permission::check(&self.settings.policy(id), id, tool.operation, force)?;
        let account = self.settings.account(id, account)?;
        Ok((account, permission_bypassed))
    }
}
