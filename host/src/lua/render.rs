//! How `print` and `dump` show values: scalars as `tostring` would, tables as
//! indented JSON with sorted keys, so output is readable and deterministic.

use mlua::{Lua, Value};

use super::convert::{Strictness, lua_to_json};

pub fn render(lua: &Lua, value: &Value) -> String {
    match value {
        Value::Nil => "nil".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => render_number(*n),
        Value::String(s) => s.to_string_lossy(),
        Value::LightUserData(ud) if ud.0.is_null() => "null".into(),
        // An error value shows as its message, as a string error did.
        Value::Table(table) => match super::errors::as_text(lua, table) {
            Some(text) => text,
            None => match lua_to_json(lua, value, Strictness::Lenient) {
                Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("<unprintable: {e}>")),
                Err(e) => format!("<table: {e}>"),
            },
        },
        other => format!("<{}>", other.type_name()),
    }
}

/// Like Lua's `%.14g`: `1.0` prints as `1.0`, not `1`, so floats stay visible.
fn render_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 { format!("{n:.1}") } else { n.to_string() }
}
