//! The MCP servers a user configured, as a client: each started on first use
//! in a process and kept for the rest of it (one session per server), its
//! tools judged by the same permission policy as an integration's, and every
//! server stopped with its children when kosmo ends (see `children`).
//!
//! Configured servers are programs or services of the user's choosing: they
//! run with the user's rights, outside kosmo's sandbox.

pub mod children;
pub mod config;
mod listing;
mod result;
mod session;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::OnceCell;

pub use config::Server;

/// The `docs.read("mcp")` page: configuring servers and calling them from Lua.
pub const DOCS: &str = include_str!("docs.md");
pub use session::{Session, Tool};

use crate::permission;

/// How long the end of a run waits for servers to leave by themselves before their groups are killed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A session, or why the server could not give one (kept: a server that
/// failed to start is not started again in the same process).
type Slot = Arc<OnceCell<Result<Arc<Session>, String>>>;

/// The configured servers and the sessions of those used so far.
pub struct McpServers {
    servers: Result<Vec<Server>, String>,
    sessions: Mutex<BTreeMap<String, Slot>>,
}

/// A tool call that went through.
pub struct McpInvocation {
    pub result: Value,
    /// `--force` let it through a permission of `ask`.
    pub permission_bypassed: bool,
    pub tool: Tool,
}

impl McpServers {
    /// `servers` as the config gave them; a config error is reported by every use.
    pub fn new(servers: Result<Vec<Server>, String>) -> McpServers {
        McpServers { servers, sessions: Mutex::default() }
    }

    /// Every configured server, enabled or not.
    pub fn configured(&self) -> Result<&[Server], String> {
        self.servers.as_deref().map_err(Clone::clone)
    }

    /// An enabled server by its name or its Lua name; the error says what is configured.
    pub fn find(&self, name: &str) -> Result<&Server, String> {
        let servers = self.configured()?;
        let server = servers.iter().find(|s| s.name == name).or_else(|| servers.iter().find(|s| s.lua_name() == name));
        match server {
            Some(server) if server.enabled => Ok(server),
            Some(server) => Err(format!(
                "MCP server '{}' is disabled (enabled = false in {})",
                server.name,
                server.source.display()
            )),
            None => {
                let names: Vec<String> = servers.iter().map(Server::lua_name).collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let hint = kosmo_suggest::hint(name, &names);
                Err(format!(
                    "unknown MCP server '{name}'.{hint} Configured: {} (add [mcp.servers.<name>] to the config file)",
                    if names.is_empty() { "none".into() } else { names.join(", ") }
                ))
            }
        }
    }

    /// The session with `name`, started on first use.
    pub async fn session(&self, name: &str) -> Result<Arc<Session>, String> {
        let server = self.find(name)?;
        let slot =
            self.sessions.lock().unwrap_or_else(|e| e.into_inner()).entry(server.name.clone()).or_default().clone();
        slot.get_or_init(|| async { Session::start(server).await.map(Arc::new) }).await.clone()
    }

    /// Calls `tool` (its Lua or MCP name) of server `name` after the
    /// permission check; nothing is sent when it refuses.
    pub async fn call(
        &self,
        name: &str,
        tool: &str,
        arguments: serde_json::Map<String, Value>,
        force: bool,
    ) -> Result<McpInvocation, String> {
        let server = self.find(name)?;
        let session = self.session(name).await?;
        let tool = session.tool(tool)?.clone();
        let subject = format!("mcp.{}", server.lua_name());
        let permission_bypassed = permission::check(&server.policy, &subject, tool.operation, force)?;
        let answer = session.call_tool(&tool, arguments).await?;
        let result = result::normalize(&answer).map_err(|e| format!("{subject}.{}: {e}", tool.lua_name))?;
        Ok(McpInvocation { result, permission_bypassed, tool })
    }

    /// Ends every session started, waiting a little for each server to
    /// leave, then kills whatever is left of their process groups.
    pub async fn shutdown(&self) {
        let slots: Vec<Slot> = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        let sessions: Vec<Arc<Session>> = slots.iter().filter_map(|s| s.get()?.as_ref().ok().cloned()).collect();
        let closing: Vec<_> = sessions.into_iter().map(|s| tokio::spawn(async move { s.close().await })).collect();
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
            for close in closing {
                let _ = close.await;
            }
        })
        .await;
        children::kill_all();
    }
}
