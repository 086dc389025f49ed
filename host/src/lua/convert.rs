//! JSON ⇄ Lua values, with rules chosen for API data: 64-bit integers stay
//! exact, arrays keep a marker so `[]` survives a round trip, `null` inside
//! an array is `json.null` (so `#t` stays right) and inside an object is
//! left out (so `if r.next then` does the natural thing).

use std::ffi::c_int;

use mlua::{Lua, LuaSerdeExt, Table, Value, ffi};
use serde_json::{Map, Number, Value as Json};

const MAX_DEPTH: usize = 128;

/// Builds the Lua value of a JSON document (a tool's result, `json.decode`).
///
/// The whole tree is built inside one protected call through Lua's C API:
/// through mlua's safe API each string and table store would be a protected
/// call of its own, and converting a 2 KB result then costs more than the
/// plugin call that produced it.
pub fn json_to_lua(lua: &Lua, json: &Json) -> mlua::Result<Value> {
    // SAFETY: `exec_raw` runs the closure in protected mode with the array
    // metatable as argument 1 and takes every value left on the stack as the
    // result. `push_json` only pushes onto that stack, checking room for each
    // level first. A Lua error (out of memory under the sandbox's limit, no
    // stack room) unwinds by longjmp to the protected call: the frames it
    // crosses are `push_json`'s, which own nothing that needs dropping.
    unsafe {
        lua.exec_raw(lua.array_metatable(), |state| {
            push_json(state, json);
            ffi::lua_replace(state, 1);
        })
    }
}

/// Pushes `json` as one Lua value; the array metatable is at stack index 1.
unsafe fn push_json(state: *mut ffi::lua_State, json: &Json) {
    // A value, and a table with a key and a value being stored into it.
    const SLOTS_PER_LEVEL: c_int = 3;
    unsafe {
        if ffi::lua_checkstack(state, SLOTS_PER_LEVEL) == 0 {
            ffi::lua_pushstring(state, c"JSON nested too deeply for the Lua stack".as_ptr());
            ffi::lua_error(state);
        }
        match json {
            Json::Null => ffi::lua_pushlightuserdata(state, std::ptr::null_mut()),
            Json::Bool(b) => ffi::lua_pushboolean(state, c_int::from(*b)),
            Json::Number(n) => match n.as_i64() {
                Some(i) => ffi::lua_pushinteger(state, i),
                None => ffi::lua_pushnumber(state, n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => push_str(state, s),
            Json::Array(items) => {
                ffi::lua_createtable(state, c_int::try_from(items.len()).unwrap_or(c_int::MAX), 0);
                for (i, item) in items.iter().enumerate() {
                    push_json(state, item);
                    ffi::lua_rawseti(state, -2, i as ffi::lua_Integer + 1);
                }
                ffi::lua_pushvalue(state, 1);
                ffi::lua_setmetatable(state, -2);
            }
            Json::Object(map) => {
                ffi::lua_createtable(state, 0, c_int::try_from(map.len()).unwrap_or(c_int::MAX));
                for (key, item) in map.iter().filter(|(_, item)| !item.is_null()) {
                    push_str(state, key);
                    push_json(state, item);
                    ffi::lua_rawset(state, -3);
                }
            }
        }
    }
}

unsafe fn push_str(state: *mut ffi::lua_State, text: &str) {
    unsafe {
        ffi::lua_pushlstring(state, text.as_ptr().cast(), text.len());
    }
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
            if let Some(text) = super::errors::as_text(lua, table) {
                return Ok(Json::String(text));
            }
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
