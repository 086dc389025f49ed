//! JSON Schema of each tool's arguments, derived from the tool table.

use serde_json::{Map, Value, json};

use crate::request::accepted;
use crate::tools::{Kind, Tool};

pub fn input_schema(tool: &Tool) -> Value {
    let mut properties = Map::new();
    for param in tool.params {
        let mut schema = match param.kind {
            Kind::String | Kind::ApiPath | Kind::Phone { .. } => json!({ "type": "string" }),
            Kind::Text { max } => json!({ "type": "string", "minLength": 1, "maxLength": max }),
            Kind::DateTime => json!({ "type": "string", "format": "date-time" }),
            Kind::Id => json!({ "type": ["string", "integer"], "minLength": 1 }),
            Kind::Integer { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
            Kind::Boolean => json!({ "type": "boolean" }),
            Kind::Object => json!({ "type": "object" }),
        };
        schema["description"] = Value::String(param.description.to_string());
        if let Some(choices) = &param.choices {
            let values = accepted(choices);
            if choices.multiple {
                // One value (`enum`) or several as one comma-separated string
                // (the pattern), which a lone `enum` would forbid.
                let one = values.join("|");
                let list = format!("^ *({one})( *, *({one}))* *$");
                schema["anyOf"] = json!([{ "enum": values }, { "pattern": list }]);
            } else {
                schema["enum"] = json!(values);
            }
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
