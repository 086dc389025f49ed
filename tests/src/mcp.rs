//! A scripted Model Context Protocol client: `kosmo mcp:serve` as a child
//! process, JSON-RPC lines over its stdin and stdout. Several threads may
//! send requests at once over one session; answers are matched by id.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long one request may take before the test fails.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to exit once its stdin is closed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The protocol version the client asks for.
pub const PROTOCOL_VERSION: &str = "2025-06-18";

pub struct McpClient {
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    next_id: Mutex<u64>,
    pending: Arc<Mutex<HashMap<u64, Sender<Value>>>>,
    notifications: Arc<Mutex<Vec<Value>>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl McpClient {
    /// Starts `command mcp:serve [args]` and completes the initialize handshake.
    pub fn start(command: Command, args: &[&str]) -> (McpClient, Value) {
        McpClient::start_with(command, args, PROTOCOL_VERSION, json!({}))
    }

    /// [`McpClient::start`] asking for `protocol_version` and declaring `capabilities`.
    pub fn start_with(
        mut command: Command,
        args: &[&str],
        protocol_version: &str,
        capabilities: Value,
    ) -> (McpClient, Value) {
        command.arg("mcp:serve").args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("start kosmo mcp:serve");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let pending: Arc<Mutex<HashMap<u64, Sender<Value>>>> = Arc::default();
        let notifications: Arc<Mutex<Vec<Value>>> = Arc::default();
        let log: Arc<Mutex<String>> = Arc::default();

        let reader = {
            let pending = pending.clone();
            let notifications = notifications.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let message: Value = serde_json::from_str(&line)
                        .unwrap_or_else(|e| json!({ "unparsable": line, "error": e.to_string() }));
                    match message["id"].as_u64() {
                        Some(id) if message.get("method").is_none() => {
                            if let Some(waiter) = pending.lock().unwrap().remove(&id) {
                                let _ = waiter.send(message);
                            }
                        }
                        _ => notifications.lock().unwrap().push(message),
                    }
                }
                // The server went away: wake every waiter.
                pending.lock().unwrap().clear();
            })
        };
        let stderr_reader = {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            })
        };
        let client = McpClient {
            child,
            stdin: Mutex::new(Some(stdin)),
            next_id: Mutex::new(1),
            pending,
            notifications,
            stderr: log,
            readers: vec![reader, stderr_reader],
        };
        let initialized = client.request(
            "initialize",
            json!({
                "protocolVersion": protocol_version,
                "capabilities": capabilities,
                "clientInfo": { "name": "kosmo-tests", "version": "0" },
            }),
        );
        assert!(initialized.get("result").is_some(), "initialize failed: {initialized}\n{}", client.stderr());
        client.notify("notifications/initialized", json!({}));
        let result = initialized["result"].clone();
        (client, result)
    }

    fn send(&self, message: &Value) {
        let mut guard = self.stdin.lock().unwrap();
        let stdin = guard.as_mut().expect("the session is open");
        let mut line = message.to_string();
        line.push('\n');
        stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()).expect("write to kosmo mcp:serve");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a request and waits for its answer (the whole JSON-RPC message).
    pub fn request(&self, method: &str, params: Value) -> Value {
        let id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        let (tx, rx): (Sender<Value>, Receiver<Value>) = mpsc::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        match rx.recv_timeout(ANSWER_TIMEOUT) {
            Ok(answer) => answer,
            Err(e) => panic!("no answer to {method} #{id} ({e}); server log:\n{}", self.stderr()),
        }
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// `tools/list` → the tools.
    pub fn list_tools(&self) -> Vec<Value> {
        let answer = self.request("tools/list", json!({}));
        answer["result"]["tools"].as_array().cloned().unwrap_or_else(|| panic!("tools/list failed: {answer}"))
    }

    /// `tools/call` → the result (content, isError).
    pub fn call_tool(&self, name: &str, arguments: Value) -> Value {
        let answer = self.request("tools/call", json!({ "name": name, "arguments": arguments }));
        match answer.get("result") {
            Some(result) => result.clone(),
            None => panic!("tools/call {name} failed at the protocol level: {answer}"),
        }
    }

    /// Answers a request the server sent (`elicitation/create`, say).
    pub fn respond(&self, id: &Value, result: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    /// The first request named `method` the server sent, waiting up to `timeout`.
    pub fn wait_for_request(&self, method: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.notifications().into_iter().find(|m| m["method"] == method && m.get("id").is_some());
            if found.is_some() || Instant::now() >= deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Notifications received so far.
    pub fn notifications(&self) -> Vec<Value> {
        self.notifications.lock().unwrap().clone()
    }

    /// Waits until the server has sent a notification of `method`; false after
    /// `timeout`. Notifications are read by another thread, so one the server
    /// sent before an answer may arrive here after it.
    pub fn wait_for_notification(&self, method: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.notifications().iter().any(|n| n["method"] == method) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (bounded) until the server's stderr contains `text`.
    pub fn wait_for_log(&self, text: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.stderr().contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Closes the session (stdin) and waits for the server to exit by itself.
    pub fn close(mut self) -> (Option<i32>, String) {
        let code = self.shutdown();
        (code, self.stderr())
    }

    fn shutdown(&mut self) -> Option<i32> {
        drop(self.stdin.lock().unwrap().take());
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    for reader in self.readers.drain(..) {
                        let _ = reader.join();
                    }
                    return status.code();
                }
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return None;
                }
            }
        }
    }
}

impl Drop for McpClient {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.shutdown();
        }
    }
}

/// The JSON document in a tool result's first text content.
pub fn result_json(result: &Value) -> Value {
    let text = result["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text content: {result}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("the result text is not JSON ({e}): {text}"))
}

/// The text of a tool result's first content.
pub fn result_text(result: &Value) -> String {
    result["content"][0]["text"].as_str().unwrap_or_default().to_string()
}
