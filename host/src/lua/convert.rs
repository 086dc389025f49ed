//! JSON ⇄ Lua values, with rules chosen for API data: 64-bit integers stay
//! exact, arrays keep a marker so `[]` survives a round trip, `null` inside
//! an array is `json.null` (so `#t` stays right) and inside an object is
//! left out (so `if r.next then` does the natural thing).

use mlua::{Lua, LuaSerdeExt, Table, Value};
use serde_json::{Map, Number, Value as Json};

const MAX_DEPTH: usize = 128;

pub fn json_to_lua(lua: &Lua, json: &Json) -> mlua::Result<Value> {
    Ok(match json {
        Json::Null => Value::NULL,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(lua.create_string(s)?),
        Json::Array(items) => {
            let table = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                table.raw_set(i + 1, json_to_lua(lua, item)?)?;
            }
            table.set_metatable(Some(lua.array_metatable()))?;
            Value::Table(table)
        }
        Json::Object(map) => {
            let table = lua.create_table_with_capacity(0, map.len())?;
            for (key, item) in map {
                if !item.is_null() {
                    table.raw_set(key.as_str(), json_to_lua(lua, item)?)?;
                }
            }
            Value::Table(table)
        }
    })
}

/// How values JSON cannot hold are treated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Functions, cycles and NaN are errors (tool arguments, `json.encode`).
    Strict,
    /// They are rendered as placeholders (`dump`, `print`).
    Lenient,
}

pub fn lua_to_json(lua: &Lua, value: &Value, strictness: Strictness) -> Result<Json, String> {
    let mut path = Vec::new();
    convert(lua, value, strictness, &mut path)
}

fn convert(
    lua: &Lua,
    value: &Value,
    strictness: Strictness,
    seen: &mut Vec<*const std::ffi::c_void>,
) -> Result<Json, String> {
    let lenient = strictness == Strictness::Lenient;
    match value {
        Value::Nil => Ok(Json::Null),
        Value::Boolean(b) => Ok(Json::Bool(*b)),
        Value::Integer(i) => Ok(Json::from(*i)),
        Value::Number(n) => match Number::from_f64(*n) {
            Some(number) => Ok(Json::Number(number)),
            None if lenient => Ok(Json::String(n.to_string())),
            None => Err(format!("cannot encode the number {n} as JSON")),
        },
        Value::String(s) => Ok(Json::String(s.to_string_lossy())),
        Value::LightUserData(ud) if ud.0.is_null() => Ok(Json::Null),
        Value::Table(table) => {
            let pointer = table.to_pointer();
            if seen.contains(&pointer) {
                return if lenient {
                    Ok(Json::String("<cycle>".into()))
                } else {
                    Err("cannot encode a table that contains itself".into())
                };
            }
            if seen.len() >= MAX_DEPTH {
                return Err(format!("tables nested deeper than {MAX_DEPTH} levels"));
            }
            seen.push(pointer);
            let converted = convert_table(lua, table, strictness, seen);
            seen.pop();
            converted
        }
        other if lenient => Ok(Json::String(format!("<{}>", other.type_name()))),
        other => Err(format!("cannot encode a {} as JSON", other.type_name())),
    }
}

fn convert_table(
    lua: &Lua,
    table: &Table,
    strictness: Strictness,
    seen: &mut Vec<*const std::ffi::c_void>,
) -> Result<Json, String> {
    let marked_array = table.metatable().is_some_and(|mt| mt == lua.array_metatable());
    let mut entries: Vec<(Value, Value)> = Vec::new();
    for pair in table.pairs::<Value, Value>() {
        entries.push(pair.map_err(|e| e.to_string())?);
    }
    let length = entries.len();
    let is_sequence =
        length > 0 && entries.iter().all(|(k, _)| matches!(k, Value::Integer(i) if *i >= 1 && (*i as usize) <= length));
    if marked_array || is_sequence {
        let mut items = vec![Json::Null; length];
        for (key, item) in &entries {
            match key {
                Value::Integer(i) if *i >= 1 && (*i as usize) <= length => {
                    items[*i as usize - 1] = convert(lua, item, strictness, seen)?
                }
                _ => return Err("an array has a non-integer key".into()),
            }
        }
        return Ok(Json::Array(items));
    }
    let mut map = Map::new();
    for (key, item) in &entries {
        let key = match key {
            Value::String(s) => s.to_string_lossy(),
            Value::Integer(i) => i.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Boolean(b) => b.to_string(),
            other => return Err(format!("cannot use a {} as a JSON object key", other.type_name())),
        };
        map.insert(key, convert(lua, item, strictness, seen)?);
    }
    Ok(Json::Object(map))
}
