//! `kosmo mcp:serve --http` for tests and benchmarks: the server started on a
//! free loopback port (and killed by its pid when dropped), and a small
//! Streamable HTTP client of one 2025-11-25 session over keep-alive HTTP.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// The bearer token the servers started here expect (`KOSMO_MCP_TOKEN`).
pub const TOKEN: &str = "test-token-0123456789abcdef";
/// Generous: the server may compile the plugin first on a loaded machine.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// A running `kosmo mcp:serve --http 127.0.0.1:0`.
pub struct HttpServer {
    child: Child,
    /// `http://127.0.0.1:PORT/mcp`, as its first line of stdout said.
    pub url: String,
    pub port: u16,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl HttpServer {
    /// Starts `command` (a `kosmo` command) as `mcp:serve --http 127.0.0.1:0 EXTRA...`
    /// with [`TOKEN`], and waits for the line that says where it listens.
    pub fn start(mut command: Command, extra: &[&str]) -> HttpServer {
        command
            .env("KOSMO_MCP_TOKEN", TOKEN)
            .args(["mcp:serve", "--http", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start kosmo mcp:serve --http");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        // The first line says where it listens; the rest is drained so the pipes never fill.
        let (line_tx, line_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = line_tx.send(first);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            text
        });
        let first = line_rx.recv_timeout(START_DEADLINE).unwrap_or_default();
        let url = first.trim().strip_prefix("listening on ").map(str::to_string);
        let port = url
            .as_deref()
            .and_then(|url| url.strip_prefix("http://127.0.0.1:"))
            .and_then(|rest| rest.strip_suffix("/mcp"))
            .and_then(|port| port.parse().ok());
        let (Some(url), Some(port)) = (url, port) else {
            let _ = child.kill();
            let _ = child.wait();
            let log = stderr.join().unwrap_or_default();
            panic!(
                "mcp:serve --http did not say `listening on http://127.0.0.1:PORT/mcp` but {first:?}; stderr:\n{log}"
            );
        };
        HttpServer { child, url, port, stderr: Some(stderr) }
    }

    /// Stops the server; what it wrote on stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr.take().and_then(|reader| reader.join().ok()).unwrap_or_default()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One 2025-11-25 session over a keep-alive connection.
pub struct HttpSession {
    agent: ureq::Agent,
    url: String,
    session: String,
    next_id: std::sync::atomic::AtomicU64,
}

impl HttpSession {
    pub fn open(server: &HttpServer) -> HttpSession {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let initialize = json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "kosmo-harness", "version": "0"}},
        });
        let response = post(&agent, &server.url, None, &initialize);
        let session = response.session.expect("initialize answers an Mcp-Session-Id");
        let session =
            HttpSession { agent, url: server.url.clone(), session, next_id: std::sync::atomic::AtomicU64::new(1) };
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        post(&session.agent, &session.url, Some(&session.session), &initialized);
        session
    }

    /// `tools/call`; the JSON-RPC result.
    pub fn call_tool(&self, name: &str, arguments: Value) -> Value {
        let id = self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let request = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}});
        let answer = post(&self.agent, &self.url, Some(&self.session), &request).message.expect("an answer");
        assert_eq!(answer["id"], id, "{answer}");
        answer["result"].clone()
    }
}

struct Answer {
    session: Option<String>,
    message: Option<Value>,
}

/// POSTs one message with the token; the JSON-RPC answer, from a JSON body or
/// from the `data:` line of an event stream.
fn post(agent: &ureq::Agent, url: &str, session: Option<&str>, message: &Value) -> Answer {
    let mut request = agent
        .post(url)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream");
    if let Some(session) = session {
        request = request.header("Mcp-Session-Id", session);
    }
    let mut response = request.send(message.to_string()).expect("the server answers");
    let status = response.status().as_u16();
    let session = response.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = response.body_mut().read_to_string().unwrap_or_default();
    assert!((200..300).contains(&status), "HTTP {status}: {body}");
    let message = body
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .chain(std::iter::once(body.as_str()).filter(|b| b.trim_start().starts_with('{')))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|m| m.get("id").is_some());
    Answer { session, message }
}
