//! A test plugin that says terminal escape sequences everywhere it can: its
//! manifest name and description, its tools' titles, descriptions and
//! schemas, its docs pages, its results and its errors (every field of an
//! `api-error`). kosmo must show all of it escaped. The variant is read at
//! build time from `NOISY_PLUGIN_VARIANT`: `loud` (the default) loads;
//! `bad-id`, `bad-version` and `bad-api` put a control character in the
//! manifest's id, version or api version and must be refused at load.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    world: "integration",
});

use kosmo::integration::types::{ApiError, Operation};
use serde_json::json;

/// Writes the clipboard (OSC 52), retitles the window (OSC 0), clears the
/// screen (CSI 2J), the same with the one-character C1 CSI, and a DEL.
pub const HOSTILE: &str = "clip\x1b]52;c;cHduZWQ=\x07 title\x1b]0;pwned\x07 clear\x1b[2J csi\u{9b}2J del\x7f";

const VARIANT: &str = match option_env!("NOISY_PLUGIN_VARIANT") {
    Some(variant) => variant,
    None => "loud",
};

fn is(variant: &str) -> bool {
    VARIANT == variant
}

struct Noisy;

impl Guest for Noisy {
    fn manifest() -> Manifest {
        Manifest {
            id: if is("bad-id") { "noisy\x1b[2J".into() } else { "noisy".into() },
            name: format!("Noisy {HOSTILE}"),
            version: if is("bad-version") { "1.0\x1b]0;pwned\x07".into() } else { "1.0.0".into() },
            api_version: if is("bad-api") { "0.1.0\x1b[2J".into() } else { "0.1.0".into() },
            description: format!("Says {HOSTILE}; for tests only."),
        }
    }

    fn list_tools() -> Vec<Tool> {
        let schema = json!({
            "type": "object",
            "description": HOSTILE,
            "properties": { "text": { "type": "string", "description": HOSTILE } },
        })
        .to_string();
        ["say", "fail_api", "fail_invalid"]
            .into_iter()
            .map(|name| Tool {
                name: name.into(),
                title: format!("{name} {HOSTILE}"),
                description: format!("{name} says {HOSTILE}"),
                operation: Operation::Read,
                input_schema: schema.clone(),
            })
            .collect()
    }

    fn call_tool(name: String, _arguments: String, _context: CallContext) -> Result<String, ToolError> {
        match name.as_str() {
            "say" => Ok(json!({ "said": HOSTILE }).to_string()),
            "fail_api" => Err(ToolError::Api(ApiError {
                status: 400,
                error_code: Some(format!("CMN-{HOSTILE}")),
                message: format!("message {HOSTILE}"),
                parameter_name: Some(format!("parameter {HOSTILE}")),
                request_id: Some(format!("request {HOSTILE}")),
            })),
            "fail_invalid" => Err(ToolError::InvalidArguments(format!("invalid {HOSTILE}"))),
            other => Err(ToolError::UnknownTool(format!("unknown tool {other} {HOSTILE}"))),
        }
    }

    fn read_docs(topic: String) -> Option<String> {
        Some(format!("# noisy {topic}\n\n{HOSTILE}\n\tan indented line\n"))
    }
}

export!(Noisy);
