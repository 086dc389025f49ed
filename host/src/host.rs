//! What one kosmo process serves: the runtime, the loaded plugins and the
//! settings (accounts, credentials, permissions), and the one path every tool
//! call takes, whether it comes from Lua or from the command line.

use std::sync::Arc;

use crate::allowlist::OriginPolicy;
use crate::config::{Account, DEFAULT_ACCOUNT, Settings};
use crate::credentials;
use crate::permission;
use crate::runtime::{Access, CallError, Plugin, Runtime, ToolError};

pub struct Host {
    pub runtime: Runtime,
    /// The plugins loaded at start. `mcp:serve` keeps this empty and serves
    /// from its hot-swapping registry instead (`registry.rs`).
    pub plugins: Vec<Arc<Plugin>>,
    pub settings: Settings,
}

/// A successful tool call.
pub struct Invocation {
    pub result: serde_json::Value,
    /// `--force` let this call through a permission of `ask`.
    pub permission_bypassed: bool,
}

impl Host {
    pub fn plugin(&self, id: &str) -> Option<&Plugin> {
        self.plugins.iter().find(|p| p.id() == id).map(Arc::as_ref)
    }

    /// Tools a configured account hides in Lua: `app.integrations.<id>.<name>`
    /// is the account `<name>` (or `default`), so such a tool is reached as
    /// `app.integrations.<id>.default.<name>`. Each with a note that says so.
    pub fn shadowed_tools(&self) -> Vec<(&Plugin, &str, String)> {
        let mut shadowed = Vec::new();
        for plugin in &self.plugins {
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
                shadowed.push((plugin.as_ref(), name.as_str(), note));
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
        force: bool,
    ) -> Result<Invocation, String> {
        self.invoke_plugin(self.find(id)?, account, tool_name, arguments, force).await
    }

    /// [`Host::invoke`] on a given plugin (the version a hot-swapping registry
    /// handed out): the same permission, account and credential steps.
    pub async fn invoke_plugin(
        &self,
        plugin: &Plugin,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        force: bool,
    ) -> Result<Invocation, String> {
        let id = plugin.id();
        let (account, permission_bypassed) = self.admit(plugin, account, tool_name, force)?;
        let access = credentials::access(&account).await?;
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
        force: bool,
    ) -> Result<Invocation, String> {
        let plugin = self.find(id)?;
        let (account, permission_bypassed) = self.admit(plugin, account, tool_name, force)?;
        let access = Access {
            account: account.name.clone(),
            server_origin: account.server.to_url(),
            policy: Arc::new(OriginPolicy::deny_all()),
            bearer: None,
        };
        match self.runtime.call_tool(plugin, tool_name, &arguments.to_string(), &access).await {
            Ok(_) | Err(CallError::Tool { error: ToolError::Denied(_), .. }) => Ok(Invocation {
                result: serde_json::json!({ "dry_run": true, "valid": true, "sent": false }),
                permission_bypassed,
            }),
            Err(e) => Err(format!("{id}.{tool_name}: {e}")),
        }
    }

    fn find(&self, id: &str) -> Result<&Plugin, String> {
        self.plugin(id).ok_or_else(|| {
            let ids: Vec<&str> = self.plugins.iter().map(|p| p.id()).collect();
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
            let hint =
                crate::suggest::closest(tool_name, &names).map(|c| format!(" Did you mean {c}?")).unwrap_or_default();
            format!("unknown function {id}.{tool_name}.{hint}")
        })?;
        let permission_bypassed = permission::check(&self.settings.policy(id), id, tool.operation, force)?;
        let account = self.settings.account(id, account)?;
        Ok((account, permission_bypassed))
    }
}
