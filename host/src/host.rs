//! What one kosmo process serves: the runtime, the plugin registry and the
//! settings (accounts, credentials, permissions), and the one path every tool
//! call takes, whether it comes from Lua, the command line or MCP.

use std::sync::Arc;

use crate::call_failure::{self, CallFailure, FailureKind};
use crate::config::{self, Account, DEFAULT_ACCOUNT, Settings};
use crate::confirm::Confirmer;
use crate::credentials;
use crate::mcp_client::McpServers;
use crate::media;
use crate::pacing::{Deadline, WaitSink};
use crate::permission::{self, OperationKind, Rule};
use crate::registry::{Catalog, Registry};
use crate::runtime::{Plugin, Runtime};
use crate::writes::Write;

pub struct Host {
    pub runtime: Arc<Runtime>,
    /// The plugins served: scanned once at start, and watched by `mcp:serve`.
    pub registry: Arc<Registry>,
    pub settings: Settings,
    /// The configured MCP servers, each started on first use (`app.mcp.*`).
    pub mcp: Arc<McpServers>,
}

/// How one call may proceed, as its front end chose: the place for every
/// per-call choice (`--force` now; confirmation, preview, pacing deadlines).
#[derive(Clone, Default)]
pub struct CallOptions {
    /// Let a permission of `ask` through (`--force`); `deny` still refuses.
    pub force: bool,
    /// Who to ask when a write needs approval (an MCP client, a terminal);
    /// without one, such a write is refused.
    pub confirmer: Option<Arc<dyn Confirmer>>,
    /// How long a confirmation may wait (default [`crate::confirm::DEFAULT_TIMEOUT`]).
    pub confirm_timeout: Option<std::time::Duration>,
    /// Send a write even if an identical one went out recently (`--allow-repeat`).
    pub allow_repeat: bool,
    /// Preview every call instead of making it (`--dry-run` of a script).
    pub dry_run: bool,
    /// Rate-limit waits must not pass this (the script's time limit); the
    /// plugin call's own time limit bounds them in any case.
    pub deadline: Option<Deadline>,
    /// Told of each rate-limit wait as it starts; `None`: a progress line on stderr.
    pub on_wait: Option<WaitSink>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallOptions")
            .field("force", &self.force)
            .field("confirmer", &self.confirmer.is_some())
            .field("confirm_timeout", &self.confirm_timeout)
            .field("allow_repeat", &self.allow_repeat)
            .field("dry_run", &self.dry_run)
            .field("deadline", &self.deadline.is_some())
            .field("on_wait", &self.on_wait.is_some())
            .finish()
    }
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
        let mcp = Arc::new(McpServers::new(settings.mcp_servers()));
        Host { runtime: Arc::new(runtime), registry: Arc::new(registry), settings, mcp }
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
        self.call(id, account, tool_name, arguments, options).await.map_err(String::from)
    }

    /// [`Host::invoke`] with the failure's parts (kind, status, code, ...), for
    /// front ends that hand them on (Lua's error values).
    pub async fn call(
        &self,
        id: &str,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        options: &CallOptions,
    ) -> Result<Invocation, CallFailure> {
        let plugin = self.find(id)?;
        self.call_plugin(&plugin, account, tool_name, arguments, options).await
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
        self.call_plugin(plugin, account, tool_name, arguments, options).await.map_err(String::from)
    }

    /// [`Host::invoke_plugin`] with the failure's parts.
    pub async fn call_plugin(
        &self,
        plugin: &Plugin,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        options: &CallOptions,
    ) -> Result<Invocation, CallFailure> {
        let id = plugin.id();
        // Files the schema marks are read (and `save_to` taken out) before anything else, so a
        // write's preview, confirmation and journal see the exact arguments the plugin gets.
        let (prepared, cwd) = prepare_media(plugin, tool_name, arguments)
            .map_err(|e| CallFailure::new(FailureKind::InvalidArguments, e))?;
        if let Some(write) = self.write(plugin, account, tool_name, &prepared.arguments, options)? {
            let permission_bypassed = write.rule == Rule::Ask && write.force;
            let result = write.run().await?;
            let result = media::finish(result, &prepared, &cwd).map_err(|e| local_failure(id, tool_name, e))?;
            return Ok(Invocation { result, permission_bypassed });
        }
        let (account, permission_bypassed) = self.admit(plugin, account, tool_name, options.force)?;
        let mut access =
            credentials::access(&account).await.map_err(|e| CallFailure::new(FailureKind::Credential, e))?;
        if let Some(pacing) = &mut access.pacing {
            pacing.deadline = options.deadline.clone();
            pacing.progress = options.on_wait.as_ref().map(|sink| sink.0.clone());
        }
        let result = self
            .runtime
            .call_tool(plugin, tool_name, &prepared.arguments.to_string(), &access)
            .await
            .map_err(|e| call_failure::with_account_hint(CallFailure::from_call(id, tool_name, e), &account))?;
        let result = serde_json::from_str(&result).map_err(|e| {
            CallFailure::new(FailureKind::Plugin, format!("{id}.{tool_name}: the plugin returned invalid JSON: {e}"))
        })?;
        let result = media::finish(result, &prepared, &cwd).map_err(|e| local_failure(id, tool_name, e))?;
        Ok(Invocation { result, permission_bypassed })
    }

    /// A write call's path ([`Write`]) when `tool_name` writes; `deny` refuses here.
    fn write<'a>(
        &'a self,
        plugin: &'a Plugin,
        account: &str,
        tool_name: &'a str,
        arguments: &'a serde_json::Value,
        options: &CallOptions,
    ) -> Result<Option<Write<'a>>, CallFailure> {
        let Some(tool) = plugin.tool(tool_name).filter(|t| t.operation == OperationKind::Write) else {
            return Ok(None);
        };
        let id = plugin.id();
        let rule = self.settings.policy(id).write;
        if rule == Rule::Deny {
            permission::check(&self.settings.policy(id), id, tool.operation, options.force)
                .map_err(|e| CallFailure::new(FailureKind::Permission, e))?;
        }
        let account = self.settings.account(id, account).map_err(|e| CallFailure::new(FailureKind::Account, e))?;
        Ok(Some(Write {
            runtime: &self.runtime,
            plugin,
            account,
            tool: tool_name,
            arguments,
            rule,
            force: options.force,
            confirmer: options.confirmer.clone(),
            confirm_timeout: options.confirm_timeout,
            allow_repeat: options.allow_repeat || self.settings.repeats_allowed(id),
            deadline: options.deadline.clone(),
            on_wait: options.on_wait.clone(),
        }))
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
        self.preview_call(id, account, tool_name, arguments, options).await.map_err(String::from)
    }

    /// [`Host::dry_run`] with the failure's parts.
    pub async fn preview_call(
        &self,
        id: &str,
        account: &str,
        tool_name: &str,
        arguments: &serde_json::Value,
        options: &CallOptions,
    ) -> Result<Invocation, CallFailure> {
        let plugin = self.find(id)?;
        // A preview sends nothing, so it needs no permission but `deny`.
        let (account, _) = self.admit(&plugin, account, tool_name, true)?;
        let (prepared, _) = prepare_media(&plugin, tool_name, arguments)?;
        let write = Write {
            runtime: &self.runtime,
            plugin: &plugin,
            account,
            tool: tool_name,
            arguments: &prepared.arguments,
            rule: self.settings.policy(id).write,
            force: options.force,
            confirmer: None,
            confirm_timeout: None,
            allow_repeat: true,
            deadline: None,
            on_wait: None,
        };
        let requests = write.dry_run().await?;
        let result = serde_json::json!({
            "dry_run": true,
            "valid": true,
            "sent": false,
            // The write, or the last request (a read has one).
            "request": requests.last(),
            "requests": requests,
        });
        Ok(Invocation { result, permission_bypassed: false })
    }

    fn find(&self, id: &str) -> Result<Arc<Plugin>, CallFailure> {
        let catalog = self.catalog();
        catalog.plugin(id).cloned().ok_or_else(|| {
            let ids: Vec<&str> = catalog.plugins().iter().map(|p| p.id()).collect();
            let loaded = if ids.is_empty() { "none".into() } else { ids.join(", ") };
            CallFailure::new(FailureKind::UnknownFunction, format!("unknown integration '{id}'; loaded: {loaded}"))
        })
    }

    /// The resolved account and whether `--force` was needed; the error says
    /// which check refused.
    fn admit(
        &self,
        plugin: &Plugin,
        account: &str,
        tool_name: &str,
        force: bool,
    ) -> Result<(Account, bool), CallFailure> {
        let id = plugin.id();
        let tool = plugin.tool(tool_name).ok_or_else(|| {
            let names: Vec<&str> = plugin.tools.iter().map(|t| t.name.as_str()).collect();
            let hint = kosmo_suggest::hint(tool_name, &names);
            CallFailure::new(FailureKind::UnknownFunction, format!("unknown function {id}.{tool_name}.{hint}"))
        })?;
        let permission_bypassed = permission::check(&self.settings.policy(id), id, tool.operation, force)
            .map_err(|e| CallFailure::new(FailureKind::Permission, e))?;
        let account = self.settings.account(id, account).map_err(|e| CallFailure::new(FailureKind::Account, e))?;
        Ok((account, permission_bypassed))
    }
}

/// The arguments with the files their schema marks read and `save_to` taken
/// out (`media.rs`), and the working directory both are relative to.
/// A local file the call names could not be read or saved (missing, too
/// large, exists already): the argument naming it is what to change.
fn local_failure(id: &str, tool_name: &str, why: String) -> CallFailure {
    CallFailure::new(FailureKind::InvalidArguments, format!("{id}.{tool_name}: {why}"))
}

/// Reads the local files the arguments name; nothing is sent when one is refused.
fn prepare_media(
    plugin: &Plugin,
    tool_name: &str,
    arguments: &serde_json::Value,
) -> Result<(media::Prepared, std::path::PathBuf), CallFailure> {
    let id = plugin.id();
    let schema = plugin.tool(tool_name).map(|t| &t.input_schema).unwrap_or(&serde_json::Value::Null);
    let cwd =
        std::env::current_dir().map_err(|e| local_failure(id, tool_name, format!("the working directory: {e}")))?;
    let prepared = media::prepare(schema, arguments, &cwd).map_err(|e| local_failure(id, tool_name, e))?;
    Ok((prepared, cwd))
}
