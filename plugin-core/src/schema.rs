//! JSON Schemas of each tool's arguments and result, derived from the tool table.

use serde_json::{Map, Value, json};

use crate::request::accepted;
use crate::tools::{Field, HostRole, Kind, Output, Place, Tool};

/// The schema keyword that marks a property the host handles: `"save_to"`,
/// `"overwrite"` or `"local_files"` (README, "Media and files").
pub const HOST_MARK: &str = "x-kosmo-host";

pub fn input_schema(tool: &Tool) -> Value {
    let mut properties = Map::new();
    for param in tool.params {
        let mut schema = match param.kind {
            Kind::String | Kind::ApiPath | Kind::Phone { .. } => json!({ "type": "string" }),
            Kind::Text { max } => json!({ "type": "string", "minLength": 1, "maxLength": max }),
            Kind::DateTime => json!({ "type": "string", "format": "date-time" }),
            // A string, never an integer: JSON clients in JavaScript round integers
            // above 2^53, which would name another record. Scripts may still pass numbers.
            Kind::Id => json!({ "type": "string", "minLength": 1 }),
            Kind::Integer { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
            Kind::Boolean => json!({ "type": "boolean" }),
            Kind::Object => json!({ "type": "object" }),
            Kind::LocalFiles { max } => {
                let mut files =
                    json!({ "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": max });
                files[HOST_MARK] = json!("local_files");
                files
            }
        };
        // The media convention (README): what the host handles itself.
        if let Place::Host(role) = param.place {
            schema[HOST_MARK] = json!(match role {
                HostRole::SaveTo => "save_to",
                HostRole::Overwrite => "overwrite",
            });
        }
        schema["description"] = Value::String(param.description.to_string());
        if let Some(choices) = &param.choices {
            // Several values go as one comma-separated string, which an `enum`
            // would forbid: list them as examples then.
            let keyword = if choices.multiple { "examples" } else { "enum" };
            schema[keyword] = json!(accepted(choices));
        }
        properties.insert(param.name.to_string(), schema);
    }
    let required: Vec<&str> = tool.params.iter().filter(|p| p.required).map(|p| p.name).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema of what a successful call returns (always an object). Only the
/// listed fields are described: the API's other fields pass through.
pub fn output_schema(tool: &Tool) -> Value {
    match tool.output {
        Output::Record(fields) => record(fields),
        Output::Page(fields) => json!({
            "type": "object",
            "properties": {
                "records": { "type": "array", "items": record(fields) },
                "paging": { "type": "object" },
                "navigation": { "type": "object" },
            },
            "required": ["records"],
        }),
        Output::Done => json!({
            "type": "object",
            "properties": { "success": { "type": "boolean" }, "status": { "type": "integer" } },
            "required": ["success", "status"],
        }),
        Output::Any => json!({ "type": "object" }),
    }
}

fn record(fields: &[Field]) -> Value {
    let properties: Map<String, Value> =
        fields.iter().map(|(name, kind)| (name.to_string(), json!({ "type": kind }))).collect();
    json!({ "type": "object", "properties": properties })
}
