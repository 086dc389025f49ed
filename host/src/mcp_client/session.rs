//! One session with one MCP server through rmcp's client: the server started
//! (a child process leading a process group of its own, or a Streamable HTTP
//! connection), the handshake, its tools listed once, and every request held
//! to the server's timeout. Errors name the server and the request.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use process_wrap::tokio::{CommandWrap, KillOnDrop, ProcessGroup};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, GetPromptRequestParams, Implementation,
    ReadResourceRequestParams,
};
use rmcp::service::{Peer, RoleClient, RunningService, ServiceError, ServiceExt};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::ChildStderr;

use super::children;
use super::config::{Server, Transport, lua_name};
use crate::caps::MAX_TOOLS;
use crate::permission::OperationKind;

/// Lines of a server's stderr kept for the error that reports its failure.
const STDERR_TAIL_LINES: usize = 5;
/// A longer stderr line is logged in pieces.
const MAX_STDERR_LINE: u64 = 4 << 10;
/// A tool name longer than this (MCP allows 128), or with a control character, is skipped.
const MAX_TOOL_NAME: usize = 128;

/// A tool a server offers, as kosmo judges and names it.
#[derive(Clone, Debug)]
pub struct Tool {
    /// The MCP name, sent in `tools/call`.
    pub name: String,
    /// `app.mcp.<server>.<lua_name>`.
    pub lua_name: String,
    pub title: String,
    pub description: String,
    /// Read when the server marks it `readOnlyHint: true`, else write.
    pub operation: OperationKind,
    pub schema: Value,
}

pub struct Session {
    server: Server,
    peer: Peer<RoleClient>,
    /// Taken by [`Session::close`].
    service: tokio::sync::Mutex<Option<RunningService<RoleClient, ClientConfig>>>,
    tools: Vec<Tool>,
    stderr: Arc<StderrTail>,
}

impl Session {
    /// Starts the server, shakes hands and lists its tools, each step within the server's timeout.
    pub async fn start(server: &Server) -> Result<Session, String> {
        let started = Instant::now();
        let stderr = Arc::new(StderrTail::default());
        let client =
            ClientConfig::new(ClientCapabilities::default(), Implementation::new("kosmo", env!("CARGO_PKG_VERSION")));
        let name = &server.name;
        let handshake = match &server.transport {
            Transport::Stdio { command, args, env, cwd } => {
                let child = spawn(server, command, args, env, cwd.as_deref(), &stderr)?;
                tokio::time::timeout(server.timeout, client.serve(child)).await.map(|r| r.map_err(|e| e.to_string()))
            }
            Transport::Http { url, headers } => {
                let transport = http_transport(url, headers).map_err(|e| format!("MCP server '{name}': {e}"))?;
                tokio::time::timeout(server.timeout, client.serve(transport))
                    .await
                    .map(|r| r.map_err(|e| e.to_string()))
            }
        };
        let service = match handshake {
            Ok(Ok(service)) => service,
            Ok(Err(e)) => {
                return Err(format!("MCP server '{name}' failed the MCP handshake: {e}{}", stderr.note()));
            }
            Err(_) => {
                return Err(format!(
                    "MCP server '{name}' did not complete the MCP handshake within {} (its timeout){}",
                    seconds(server.timeout),
                    stderr.note()
                ));
            }
        };
        let peer = service.peer().clone();
        let mut session = Session {
            server: server.clone(),
            peer,
            service: tokio::sync::Mutex::new(Some(service)),
            tools: Vec::new(),
            stderr,
        };
        let listed = session.within("tools/list", session.peer.list_all_tools()).await?;
        session.tools = tools_of(name, listed)?;
        crate::log::debug(format!(
            "started MCP server {name} ({} tools) in {}",
            session.tools.len(),
            crate::log::ms(started.elapsed())
        ));
        Ok(session)
    }

    pub fn server(&self) -> &Server {
        &self.server
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// A tool by its Lua name or its MCP name; the error lists what there is.
    pub fn tool(&self, name: &str) -> Result<&Tool, String> {
        let found =
            self.tools.iter().find(|t| t.lua_name == name).or_else(|| self.tools.iter().find(|t| t.name == name));
        found.ok_or_else(|| {
            let names: Vec<&str> = self.tools.iter().map(|t| t.lua_name.as_str()).collect();
            let hint = kosmo_suggest::hint(name, &names);
            format!(
                "unknown tool app.mcp.{}.{name}.{hint} Tools of MCP server '{}': {}",
                self.server.lua_name(),
                self.server.name,
                if names.is_empty() { "none".into() } else { names.join(", ") }
            )
        })
    }

    /// `tools/call`, answered as the server's JSON (`content`, `structuredContent`, `isError`).
    pub async fn call_tool(&self, tool: &Tool, arguments: serde_json::Map<String, Value>) -> Result<Value, String> {
        let request = CallToolRequestParams::new(tool.name.clone()).with_arguments(arguments);
        let result = self.within(&format!("tools/call {}", tool.name), self.peer.call_tool(request)).await?;
        serde_json::to_value(result).map_err(|e| e.to_string())
    }

    pub async fn resources(&self) -> Result<Value, String> {
        let listed = self.within("resources/list", self.peer.list_all_resources()).await?;
        serde_json::to_value(listed).map_err(|e| e.to_string())
    }

    pub async fn read_resource(&self, uri: &str) -> Result<Value, String> {
        let request = ReadResourceRequestParams::new(uri);
        let read = self.within(&format!("resources/read {uri}"), self.peer.read_resource(request)).await?;
        serde_json::to_value(read).map_err(|e| e.to_string())
    }

    pub async fn prompts(&self) -> Result<Value, String> {
        let listed = self.within("prompts/list", self.peer.list_all_prompts()).await?;
        serde_json::to_value(listed).map_err(|e| e.to_string())
    }

    pub async fn get_prompt(&self, name: &str, arguments: serde_json::Map<String, Value>) -> Result<Value, String> {
        let mut request = GetPromptRequestParams::new(name);
        request.arguments = Some(arguments);
        let prompt = self.within(&format!("prompts/get {name}"), self.peer.get_prompt(request)).await?;
        serde_json::to_value(prompt).map_err(|e| e.to_string())
    }

    /// Ends the session: rmcp closes the transport (a child's stdin, then
    /// SIGTERM, then SIGKILL to its group). The caller bounds how long it waits.
    pub async fn close(&self) {
        if let Some(mut service) = self.service.lock().await.take() {
            let _ = service.close().await;
        }
    }

    /// `request` within the server's timeout; the error names the server and what was asked.
    async fn within<T>(&self, what: &str, request: impl Future<Output = Result<T, ServiceError>>) -> Result<T, String> {
        let name = &self.server.name;
        match tokio::time::timeout(self.server.timeout, request).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(ServiceError::McpError(error))) => {
                Err(format!("MCP server '{name}' refused {what}: {}", error.message))
            }
            Ok(Err(ServiceError::TransportClosed | ServiceError::TransportSend(_))) => Err(format!(
                "MCP server '{name}' closed the connection during {what} (did it exit?){}",
                self.stderr.note()
            )),
            Ok(Err(other)) => Err(format!("MCP server '{name}': {what} failed: {other}{}", self.stderr.note())),
            Err(_) => Err(format!(
                "MCP server '{name}' did not answer {what} within {} (its timeout; set timeout under [mcp.servers.{name}])",
                seconds(self.server.timeout)
            )),
        }
    }
}

/// The child: only its configured environment plus `PATH` and `HOME` (never
/// kosmo's `RC_*` or other secrets), leading a process group of its own, its
/// stderr to kosmo's log.
fn spawn(
    server: &Server,
    command: &str,
    args: &[String],
    env: &std::collections::BTreeMap<String, String>,
    cwd: Option<&Path>,
    stderr: &Arc<StderrTail>,
) -> Result<TokioChildProcess, String> {
    let mut child = tokio::process::Command::new(command);
    child.args(args).env_clear();
    for var in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(var) {
            child.env(var, value);
        }
    }
    child.envs(env);
    if let Some(cwd) = cwd {
        child.current_dir(cwd);
    }
    let mut wrapped = CommandWrap::from(child);
    wrapped.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
    let (child, pipe) = TokioChildProcess::builder(wrapped)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("MCP server '{}' cannot start: `{command}`: {e}", server.name))?;
    if let Some(pid) = child.id() {
        children::register(pid);
    }
    if let Some(pipe) = pipe {
        stderr.follow(server.name.clone(), pipe);
    }
    Ok(child)
}

/// Streamable HTTP over reqwest with rustls on ring and the webpki roots, as
/// the rest of kosmo; no proxy from the environment. An `Authorization:
/// Bearer` header becomes rmcp's bearer token.
fn http_transport(
    url: &str,
    headers: &std::collections::BTreeMap<String, String>,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, String> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    let mut custom = HashMap::new();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("authorization")
            && let Some(token) = value.strip_prefix("Bearer ")
        {
            config = config.auth_header(token);
            continue;
        }
        let header = http::HeaderName::try_from(name.as_str()).map_err(|e| format!("header {name:?}: {e}"))?;
        let value = http::HeaderValue::try_from(value.as_str()).map_err(|e| format!("header {name:?}: {e}"))?;
        custom.insert(header, value);
    }
    Ok(StreamableHttpClientTransport::with_client(client, config.custom_headers(custom)))
}

/// The tools a server listed, within the caps; a tool whose name kosmo could
/// not show safely is skipped with a warning.
fn tools_of(server: &str, listed: Vec<rmcp::model::Tool>) -> Result<Vec<Tool>, String> {
    if listed.len() > MAX_TOOLS {
        return Err(format!(
            "MCP server '{server}' lists {} tools, more than the cap of {MAX_TOOLS} tools per server",
            listed.len()
        ));
    }
    let mut tools = Vec::with_capacity(listed.len());
    for tool in listed {
        let name = tool.name.to_string();
        if name.is_empty() || name.len() > MAX_TOOL_NAME || name.chars().any(char::is_control) {
            crate::log::warn(format!(
                "MCP server '{server}': skipping a tool whose name is empty, too long or has control characters: {name:?}"
            ));
            continue;
        }
        let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true);
        tools.push(Tool {
            lua_name: lua_name(&name),
            name,
            title: tool.title.clone().unwrap_or_default(),
            description: tool.description.as_deref().unwrap_or_default().to_string(),
            operation: if read_only { OperationKind::Read } else { OperationKind::Write },
            schema: Value::Object((*tool.input_schema).clone()),
        });
    }
    Ok(tools)
}

/// A server's stderr: each line to kosmo's debug log, the last few kept for errors.
#[derive(Default)]
struct StderrTail(Mutex<VecDeque<String>>);

impl StderrTail {
    fn follow(self: &Arc<Self>, server: String, pipe: ChildStderr) {
        let tail = self.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                match (&mut reader).take(MAX_STDERR_LINE).read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&line).trim_end().to_string();
                        crate::log::debug(format!("mcp server {server}: {text}"));
                        let mut lines = tail.0.lock().unwrap_or_else(|e| e.into_inner());
                        if lines.len() == STDERR_TAIL_LINES {
                            lines.pop_front();
                        }
                        lines.push_back(text);
                    }
                }
            }
        });
    }

    /// `; its stderr ended with: ...`, or nothing when it said nothing.
    fn note(&self) -> String {
        let lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if lines.is_empty() {
            return String::new();
        }
        format!("; its stderr ended with: {}", lines.iter().cloned().collect::<Vec<_>>().join(" | "))
    }
}

fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}
