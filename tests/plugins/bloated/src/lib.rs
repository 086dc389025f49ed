//! A test plugin that declares a bloated catalog, to test the host's caps.
//! The size of each attack is read at build time, so `make build` makes a few
//! builds of this one source:
//!
//! * `BLOATED_TOOLS`: how many tools it declares (default 1);
//! * `BLOATED_NAME_BYTES`: the length of each tool's name (at least 10);
//! * `BLOATED_DESCRIPTION_BYTES`: the length of each description;
//! * `BLOATED_SCHEMA_BYTES`: the length of each JSON Schema.
//!
//! Every build also has a docs page `huge` of 2 MiB. Its tools answer `{}`.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    world: "integration",
});

use kosmo::integration::types::Operation;

const TOOLS: usize = parse(option_env!("BLOATED_TOOLS"), 1);
const NAME_BYTES: usize = parse(option_env!("BLOATED_NAME_BYTES"), 10);
const DESCRIPTION_BYTES: usize = parse(option_env!("BLOATED_DESCRIPTION_BYTES"), 16);
const SCHEMA_BYTES: usize = parse(option_env!("BLOATED_SCHEMA_BYTES"), 0);
const HUGE_DOCS_BYTES: usize = 2 << 20;

/// A decimal number from the build environment, or `default`.
const fn parse(value: Option<&str>, default: usize) -> usize {
    let Some(text) = value else { return default };
    let bytes = text.as_bytes();
    let mut number = 0;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "BLOATED_* variables are decimal numbers");
        number = number * 10 + (bytes[i] - b'0') as usize;
        i += 1;
    }
    number
}

/// `tool_00042` padded with `x` to the configured length.
fn tool_name(index: usize) -> String {
    let mut name = format!("tool_{index:05}");
    while name.len() < NAME_BYTES {
        name.push('x');
    }
    name
}

/// A valid JSON Schema of about the configured length.
fn schema() -> String {
    let empty = r#"{"type":"object","description":""}"#;
    let padding = SCHEMA_BYTES.saturating_sub(empty.len());
    format!(r#"{{"type":"object","description":"{}"}}"#, "s".repeat(padding))
}

struct Bloated;

impl Guest for Bloated {
    fn manifest() -> Manifest {
        Manifest {
            id: "bloated".into(),
            name: "Bloated test plugin".into(),
            version: "0.0.1".into(),
            api_version: "0.1.0".into(),
            description: "Declares a very large catalog; for tests only.".into(),
        }
    }

    fn list_tools() -> Vec<Tool> {
        let description = "d".repeat(DESCRIPTION_BYTES);
        let schema = schema();
        (0..TOOLS)
            .map(|index| Tool {
                name: tool_name(index),
                title: format!("Tool {index}"),
                description: description.clone(),
                operation: Operation::Read,
                input_schema: schema.clone(),
            })
            .collect()
    }

    fn call_tool(_name: String, _arguments: String, _context: CallContext) -> Result<String, ToolError> {
        Ok("{}".into())
    }

    fn read_docs(topic: String) -> Option<String> {
        match topic.as_str() {
            "" => Some(format!("# bloated\n\n{TOOLS} tools, and a page `huge` of {HUGE_DOCS_BYTES} bytes.")),
            "huge" => Some("h".repeat(HUGE_DOCS_BYTES)),
            _ => None,
        }
    }
}

export!(Bloated);
