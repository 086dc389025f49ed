//! JSON Schemas of each tool's arguments and result, derived from the tool table.
//!
//! The plugin serves them as text, so they are written as text ([`Object`]):
//! building `serde_json::Value` trees with `json!` costs the plugin about
//! 10 KB more code (its size budget, BENCHMARKS.md). [`input_schema`] and
//! [`output_schema`] parse that same text for the tests and the host's Rust.

use serde_json::Value;

use crate::request::accepted;
use crate::tools::{Field, HostRole, Kind, Output, Place, Tool};

/// The schema keyword that marks a property the host handles: `"save_to"`,
/// `"overwrite"` or `"local_files"` (README, "Media and files").
pub const HOST_MARK: &str = "x-kosmo-host";

pub fn input_schema(tool: &Tool) -> Value {
    parsed(&input_schema_text(tool))
}

pub fn output_schema(tool: &Tool) -> Value {
    parsed(&output_schema_text(tool))
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).expect("a schema written by this module is JSON")
}

/// The arguments' schema, as the plugin serves it.
pub fn input_schema_text(tool: &Tool) -> String {
    let mut properties = Object::new();
    for param in tool.params {
        let string = Object::new().raw("type", "\"string\"");
        let mut schema = match param.kind {
            Kind::String | Kind::ApiPath | Kind::Phone { .. } => string,
            Kind::Text { max } => string.raw("minLength", "1").raw("maxLength", &max.to_string()),
            Kind::DateTime => string.raw("format", "\"date-time\""),
            // A string, never an integer: JSON clients in JavaScript round integers
            // above 2^53, which would name another record. Scripts may still pass numbers.
            Kind::Id => string.raw("minLength", "1"),
            Kind::Integer { min, max } => {
                of("integer").raw("minimum", &min.to_string()).raw("maximum", &max.to_string())
            }
            Kind::Boolean => of("boolean"),
            Kind::Object => of("object"),
            Kind::LocalFiles { max } => of("array")
                .raw("items", &of("string").end())
                .raw("minItems", "1")
                .raw("maxItems", &max.to_string())
                .raw(HOST_MARK, "\"local_files\""),
        };
        // The media convention (README): what the host handles itself.
        if let Place::Host(role) = param.place {
            let role = match role {
                HostRole::SaveTo => "save_to",
                HostRole::Overwrite => "overwrite",
            };
            schema = schema.raw(HOST_MARK, &quoted(role));
        }
        schema = schema.raw("description", &quoted(param.description));
        if let Some(choices) = &param.choices {
            let values = accepted(choices);
            if choices.multiple {
                // One value (`enum`) or several as one comma-separated string
                // (the pattern), which a lone `enum` would forbid.
                let one = values.join("|");
                let pattern = format!("^ *({one})( *, *({one}))* *$");
                let single = Object::new().raw("enum", &list(values.iter().copied())).end();
                let several = Object::new().raw("pattern", &quoted(&pattern)).end();
                schema = schema.raw("anyOf", &format!("[{single},{several}]"));
            } else {
                schema = schema.raw("enum", &list(values.iter().copied()));
            }
        }
        properties = properties.raw(param.name, &schema.end());
    }
    let required = list(tool.params.iter().filter(|p| p.required).map(|p| p.name));
    Object::new()
        .raw("$schema", "\"https://json-schema.org/draft/2020-12/schema\"")
        .raw("type", "\"object\"")
        .raw("properties", &properties.end())
        .raw("required", &required)
        .raw("additionalProperties", "false")
        .end()
}

/// The schema of what a successful call returns (always an object), as the
/// plugin serves it. Only the listed fields are described: the API's other
/// fields pass through.
pub fn output_schema_text(tool: &Tool) -> String {
    let string = || of("string").end();
    match tool.output {
        Output::Record(fields) => record(fields),
        Output::Page(fields) => {
            records(fields, Object::new().raw("paging", &of("object").end()).raw("navigation", &of("object").end()))
        }
        Output::Sync(fields) => {
            let info = of("object").raw("properties", &Object::new().raw("syncToken", &string()).end());
            records(fields, Object::new().raw("syncInfo", &info.end()))
        }
        Output::Replies(fields) => {
            records(fields, Object::new().raw("syncToken", &string()).raw("timedOut", &of("boolean").end()))
        }
        Output::Media => {
            let properties = Object::new()
                .raw("contentType", &string())
                .raw("size", &of("integer").end())
                .raw("path", &string())
                .raw("contentBase64", &string());
            of("object").raw("properties", &properties.end()).raw("required", &list(["contentType", "size"])).end()
        }
        Output::Done => {
            let properties = Object::new().raw("success", &of("boolean").end()).raw("status", &of("integer").end());
            of("object").raw("properties", &properties.end()).raw("required", &list(["success", "status"])).end()
        }
        Output::Any => of("object").end(),
    }
}

/// An object with `records` (each with `fields`) beside the other `properties`.
fn records(fields: &[Field], properties: Object) -> String {
    let items = of("array").raw("items", &record(fields)).end();
    of("object").raw("properties", &properties.raw("records", &items).end()).raw("required", &list(["records"])).end()
}

fn record(fields: &[Field]) -> String {
    let properties = fields.iter().fold(Object::new(), |o, (name, kind)| o.raw(name, &of(kind).end()));
    of("object").raw("properties", &properties.end()).end()
}

/// `{"type": kind` …
fn of(kind: &str) -> Object {
    Object::new().raw("type", &quoted(kind))
}

/// A JSON object being written: members in order, values already JSON.
struct Object(String);

impl Object {
    fn new() -> Object {
        Object(String::from("{"))
    }

    fn raw(mut self, key: &str, json: &str) -> Object {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&quoted(key));
        self.0.push(':');
        self.0.push_str(json);
        self
    }

    fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(quoted).collect();
    format!("[{}]", quoted.join(","))
}
