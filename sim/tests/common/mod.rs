//! Runs the real `ringcentral-sim` binary on a free port and talks to it over HTTP.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::HashMap;
use std::path::Path;

use ringcentral_sim::launcher::SimProcess;
use serde_json::Value;
use ureq::Agent;
use ureq::http::Request;

pub const TOKEN: &str = "sim-token";
/// A fixed start time, so tests can reason about the 24-hour window.
pub const START: &str = "2025-06-01T12:00:00Z";
pub const ME: &str = "/restapi/v1.0/account/~/extension/~";

pub struct Sim {
    process: SimProcess,
    pub base: String,
    agent: Agent,
}

pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The `errors[0].errorCode` of a RingCentral error body.
    pub fn error_code(&self) -> String {
        self.json()["errors"][0]["errorCode"].as_str().unwrap_or_default().to_owned()
    }
}

impl Sim {
    pub fn start() -> Self {
        Self::with_args(&["--start-time", START])
    }

    pub fn with_args(args: &[&str]) -> Self {
        let process = SimProcess::start(Path::new(env!("CARGO_BIN_EXE_ringcentral-sim")), args);
        let base = process.url().to_owned();
        let agent = Agent::config_builder().http_status_as_error(false).build().into();
        Self { process, base, agent }
    }

    pub fn child_id(&self) -> u32 {
        self.process.id()
    }

    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Reply {
        self.exchange(method, path, token.map(|t| format!("Bearer {t}")).as_deref(), body)
    }

    /// A request with a verbatim `Authorization` header (or none).
    pub fn exchange(&self, method: &str, path: &str, authorization: Option<&str>, body: Option<&str>) -> Reply {
        let mut builder = Request::builder().method(method).uri(format!("{}{path}", self.base));
        if let Some(authorization) = authorization {
            builder = builder.header("Authorization", authorization);
        }
        let result = match body {
            Some(body) => {
                let request = builder.header("Content-Type", "application/json").body(body.to_owned()).unwrap();
                self.agent.run(request)
            }
            None => self.agent.run(builder.body(()).unwrap()),
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Reply { status: response.status().as_u16(), headers, text }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, Some(TOKEN), None)
    }

    /// GET that must succeed; returns the JSON body.
    pub fn get_ok(&self, path: &str) -> Value {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
        reply.json()
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(TOKEN), Some(&body.to_string()))
    }

    pub fn requests(&self) -> Vec<Value> {
        let reply = self.send("GET", "/__sim/requests", None, None);
        assert_eq!(reply.status, 200);
        reply.json().as_array().cloned().unwrap_or_default()
    }
}

/// Ids of a list body's records, in order.
pub fn ids(body: &Value) -> Vec<Value> {
    body["records"].as_array().map(|r| r.iter().map(|x| x["id"].clone()).collect()).unwrap_or_default()
}
