//! A test plugin for hot swap and the compile cache. Its manifest version is
//! read at build time from `VERSIONED_PLUGIN_VERSION`, so `make build` makes
//! several builds of this one source and a test can tell from a call's answer
//! which build served it. A version starting with `bad-api` also claims a WIT
//! api version no host supports: a component that loads but must be refused.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    world: "integration",
});

use kosmo::integration::types::Operation;
use serde_json::{Value, json};

const VERSION: &str = match option_env!("VERSIONED_PLUGIN_VERSION") {
    Some(version) => version,
    None => "dev",
};

const fn api_version() -> &'static str {
    if matches!(VERSION.as_bytes(), [b'b', b'a', b'd', b'-', b'a', b'p', b'i', ..]) { "9.9.9" } else { "0.1.0" }
}

struct Versioned;

impl Guest for Versioned {
    fn manifest() -> Manifest {
        Manifest {
            id: "versioned".into(),
            name: "Versioned test plugin".into(),
            version: VERSION.into(),
            api_version: api_version().into(),
            description: "Answers which build it is; for tests only.".into(),
        }
    }

    fn list_tools() -> Vec<Tool> {
        vec![
            Tool {
                name: "served_by".into(),
                title: "Which build served this call".into(),
                description: "Returns the plugin's build version; `hold_ms` keeps the call in flight that long first."
                    .into(),
                operation: Operation::Read,
                input_schema: r#"{"type":"object","properties":{"hold_ms":{"type":"integer","minimum":0,"maximum":10000}},"additionalProperties":false}"#.into(),
            },
            Tool {
                name: "record_note".into(),
                title: "A write that changes nothing".into(),
                description: "A write-class tool, for permission tests.".into(),
                operation: Operation::Write,
                input_schema: r#"{"type":"object","properties":{"text":{"type":"string"}}}"#.into(),
            },
        ]
    }

    fn call_tool(name: String, arguments: String, _context: CallContext) -> Result<String, ToolError> {
        let args: Value = serde_json::from_str(&arguments).map_err(|e| ToolError::InvalidArguments(e.to_string()))?;
        match name.as_str() {
            "served_by" => {
                let hold_ms = args["hold_ms"].as_u64().unwrap_or(0).min(10_000);
                if hold_ms > 0 {
                    // Waits in the host (a pollable), not in a busy loop.
                    wasip2::clocks::monotonic_clock::subscribe_duration(hold_ms * 1_000_000).block();
                }
                Ok(json!({ "version": VERSION, "held_ms": hold_ms }).to_string())
            }
            "record_note" => Ok(json!({ "recorded": args["text"], "version": VERSION }).to_string()),
            other => Err(ToolError::UnknownTool(format!("unknown tool {other}"))),
        }
    }

    fn read_docs(topic: String) -> Option<String> {
        topic.is_empty().then(|| format!("# versioned {VERSION}\n\nA test plugin."))
    }
}

export!(Versioned);
