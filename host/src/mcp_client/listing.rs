//! What `mcp.servers()`, `mcp.tools()` and `kosmo mcp:list` show: the
//! configured servers (never the values of their env or headers, which hold
//! credentials) and the tools of the ones asked about.

use serde_json::{Value as Json, json};

use super::McpServers;
use super::config::Transport;
use crate::permission::Rule;

impl McpServers {
    /// What `mcp.servers()` and `kosmo mcp:list` show of each server: never its env or header values.
    pub fn describe(&self) -> Result<Json, String> {
        let rows: Vec<Json> = self
            .configured()?
            .iter()
            .map(|server| {
                let mut row = json!({
                    "name": server.name,
                    "lua_name": server.lua_name(),
                    "type": server.kind(),
                    "enabled": server.enabled,
                    "source": server.source.display().to_string(),
                    "timeout": server.timeout.as_secs_f64(),
                    "permissions": { "read": rule_name(server.policy.read), "write": rule_name(server.policy.write) },
                });
                match &server.transport {
                    Transport::Stdio { command, args, .. } => {
                        row["command"] = json!(command);
                        row["args"] = json!(args);
                    }
                    Transport::Http { url, .. } => row["url"] = json!(url),
                }
                row
            })
            .collect();
        Ok(Json::Array(rows))
    }

    /// The tools of one server, or of every enabled one (each started).
    pub async fn tool_rows(&self, server: Option<&str>) -> Result<Json, String> {
        let names: Vec<String> = match server {
            Some(name) => vec![self.find(name)?.name.clone()],
            None => self.configured()?.iter().filter(|s| s.enabled).map(|s| s.name.clone()).collect(),
        };
        let mut rows = Vec::new();
        for name in names {
            let session = self.session(&name).await?;
            let lua_server = session.server().lua_name();
            for tool in session.tools() {
                rows.push(json!({
                    "server": session.server().name,
                    "name": tool.name,
                    "function": tool.lua_name,
                    "lua_path": format!("app.mcp.{lua_server}.{}", tool.lua_name),
                    "title": tool.title,
                    "description": tool.description,
                    "operation": tool.operation.as_str(),
                    "schema": tool.schema,
                }));
            }
        }
        Ok(Json::Array(rows))
    }
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::Allow => "allow",
        Rule::Ask => "ask",
        Rule::Deny => "deny",
    }
}
