//! Errors as scripts see them: a tool call that fails raises a table with
//! `kind`, `message` and, where they apply, `status`, `code`, `parameter`,
//! `request_id`, `retry_after`, plus `tool`, `file` and `line`;
//! `tostring(e)` is the message the CLI prints, after the script's
//! `file:line:`. String methods and `..` work on it as on that message, so
//! scripts written for string errors keep running.

use mlua::{Function, Lua, Table, Value};

use crate::call_failure::CallFailure;

/// The chunk name of host-side Lua, skipped when looking for the script's line.
pub const HOST_CHUNK: &str = "kosmo";

/// Where the constructor of error values is kept (Lua registry).
const MAKE_ERROR: &str = "kosmo.make_error";

/// `make_error(fields, text, file, line)` and `is_error(value)`; the full text
/// lives in a weak table so that `pairs(e)` shows the parts only.
const ERROR_VALUES: &str = r#"
local setmetatable, rawget, tostring, string, type, getmetatable = ...
local texts = setmetatable({}, { __mode = "k" })
local meta = {}
local function text(e)
  local where = ""
  if rawget(e, "file") then where = rawget(e, "file") .. ":" .. tostring(rawget(e, "line")) .. ": " end
  return where .. (texts[e] or tostring(rawget(e, "message")))
end
meta.__tostring = text
meta.__concat = function(a, b)
  if type(a) == "table" and texts[a] then a = text(a) end
  if type(b) == "table" and texts[b] then b = text(b) end
  return a .. b
end
meta.__index = function(e, key)
  local method = string[key]
  if type(method) == "function" then
    return function(self, ...) return method(text(self), ...) end
  end
  return nil
end
meta.__metatable = false
local function make_error(fields, full, file, line)
  fields.file, fields.line = file, line
  texts[fields] = full
  return setmetatable(fields, meta)
end
local function is_error(value)
  return type(value) == "table" and texts[value] ~= nil
end
return make_error, is_error, text, meta
"#;

/// Where the error values' metatable and `text(e)` are kept, for [`as_text`].
const ERROR_META: &str = "kosmo.error_meta";
const ERROR_TEXT: &str = "kosmo.error_text";

/// Where `error_here(fields)` is kept: the error value for `fields` at the
/// script's current line. Host-side Lua wrappers raise what it returns (a
/// Rust function cannot raise a Lua value, and an async one cannot see the
/// script's stack).
pub const ERROR_HERE: &str = "kosmo.error_here";

/// Installs the constructor and `error_here`; returns `is_error` and `text` for the runner.
pub fn install(lua: &Lua) -> mlua::Result<(Function, Function)> {
    let globals = lua.globals();
    let (make, is_error, text, meta): (Function, Function, Function, Table) =
        lua.load(ERROR_VALUES).set_name(format!("={HOST_CHUNK}")).call((
            globals.raw_get::<Function>("setmetatable")?,
            globals.raw_get::<Function>("rawget")?,
            globals.raw_get::<Function>("tostring")?,
            globals.raw_get::<Table>("string")?,
            globals.raw_get::<Function>("type")?,
            globals.raw_get::<Function>("getmetatable")?,
        ))?;
    lua.set_named_registry_value(MAKE_ERROR, make)?;
    lua.set_named_registry_value(ERROR_META, meta)?;
    lua.set_named_registry_value(ERROR_TEXT, text.clone())?;
    let error_here = lua.create_function(|lua, fields: Table| error_value(lua, fields))?;
    lua.set_named_registry_value(ERROR_HERE, error_here)?;
    Ok((is_error, text))
}

/// An error value's message (what `tostring` gives), so that printing,
/// returning or encoding one shows the message as a string error did.
pub fn as_text(lua: &Lua, table: &Table) -> Option<String> {
    let meta = table.metatable()?;
    let error_meta: Table = lua.named_registry_value(ERROR_META).ok()?;
    if meta != error_meta {
        return None;
    }
    let text: Function = lua.named_registry_value(ERROR_TEXT).ok()?;
    text.call::<String>(table.clone()).ok()
}

/// The fields of a failed call, ready for `error_here`.
pub fn failure_fields(lua: &Lua, tool: &str, failure: &CallFailure) -> mlua::Result<Table> {
    let fields = lua.create_table()?;
    fields.raw_set("kind", failure.kind.as_str())?;
    fields.raw_set("tool", tool)?;
    fields.raw_set("message", failure.api.as_ref().map_or(failure.message.as_str(), |a| a.message.as_str()))?;
    if let Some(api) = &failure.api {
        fields.raw_set("status", api.status)?;
        fields.raw_set("code", api.code.as_deref())?;
        fields.raw_set("parameter", api.parameter.as_deref())?;
        fields.raw_set("request_id", api.request_id.as_deref())?;
    }
    fields.raw_set("retry_after", failure.retry_after)?;
    fields.raw_set("text", failure.message.as_str())?;
    Ok(fields)
}

/// Fields of an error that is not a call's (an unknown function, a bad argument to a host function).
pub fn plain_fields(lua: &Lua, kind: &str, message: &str) -> mlua::Result<Table> {
    let fields = lua.create_table()?;
    fields.raw_set("kind", kind)?;
    fields.raw_set("message", message)?;
    fields.raw_set("text", message)?;
    Ok(fields)
}

/// The error value for `fields` (its `text` the full message), at the script's current line.
fn error_value(lua: &Lua, fields: Table) -> mlua::Result<Value> {
    let text: String = fields.raw_get("text")?;
    fields.raw_remove("text")?;
    let (file, line) = script_position(lua).unzip();
    let make: Function = lua.named_registry_value(MAKE_ERROR)?;
    make.call((fields, text, file, line))
}

/// The innermost script frame on the stack: host chunks and C functions
/// (`pcall`, the tool wrappers) are skipped.
pub fn script_position(lua: &Lua) -> Option<(String, usize)> {
    for level in 0..200 {
        let frame = lua.inspect_stack(level, |debug| {
            let source = debug.source();
            let src = source.short_src.as_deref().unwrap_or_default().to_string();
            (source.what, src, debug.current_line())
        })?;
        match frame {
            ("C", _, _) => continue,
            (_, src, _) if src == HOST_CHUNK || src.starts_with("__mlua") => continue,
            (_, src, Some(line)) => return Some((src, line)),
            _ => continue,
        }
    }
    None
}

/// A host function's error, with the script's `file:line:` in front (an
/// error raised from Rust carries no position of its own).
pub fn at_script(lua: &Lua, message: impl std::fmt::Display) -> mlua::Error {
    match script_position(lua) {
        Some((file, line)) => mlua::Error::runtime(format!("{file}:{line}: {message}")),
        None => mlua::Error::runtime(message.to_string()),
    }
}
