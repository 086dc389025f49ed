//! `paging.pages(tool, args)` and `paging.all(tool, args [, {max_records = N}])`:
//! walking a list tool's pages by `navigation.nextPage`, the way RingCentral
//! pages (it may leave out `paging.totalPages`).
//!
//! A list's default window is "the 24 hours before now", which moves while
//! the pages are read: a tool that takes `dateFrom` and `dateTo` gets both
//! pinned at the first call (`dateTo` now, `dateFrom` 24 hours before, as
//! the API's default), so later pages continue the same list.

use std::sync::Arc;

use mlua::{Function, Lua, Table};

use super::bridge::TOOL_OF;
use super::errors::{ERROR_HERE, HOST_CHUNK};
use crate::host::Host;

const PAGING: &str = r#"
local tool_of, tool_params, error_here, os_time, os_date, pairs, ipairs, type, tonumber = ...

local function refuse(message)
  error(error_here({ kind = "invalid_arguments", message = message, text = message }), 0)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

local STAMP = "!%Y-%m-%dT%H:%M:%SZ"

-- The first call's arguments, the window pinned; and the tool's parameter names.
local function first_call(f, args, who)
  local id, _, tool = tool_of(f)
  if not id then
    refuse(who .. ": the first argument must be a tool function, e.g. app.integrations.ringcentral.list_messages")
  end
  if args ~= nil and type(args) ~= "table" then
    refuse(who .. ": the arguments must be a table, e.g. { perPage = 100 }")
  end
  local params = tool_params(id, tool)
  local a = copy(args or {})
  if params.dateFrom and params.dateTo and a.dateTo == nil then
    local now = os_time()
    a.dateTo = os_date(STAMP, now)
    if a.dateFrom == nil then a.dateFrom = os_date(STAMP, now - 24 * 3600) end
  end
  return a, params, id .. "." .. tool
end

-- The arguments of the page after `page`, or nil when it was the last.
local function next_call(page, a, params)
  if type(page) ~= "table" then return nil end
  local nav = page.navigation
  local next_page = type(nav) == "table" and nav.nextPage or nil
  local uri = type(next_page) == "table" and next_page.uri or nil
  local current = tonumber(a.page) or 1
  if type(uri) ~= "string" then
    -- No navigation at all: the page count, if the answer has one.
    local p = page.paging
    if nav ~= nil or type(p) ~= "table" or not p.totalPages or current >= p.totalPages then return nil end
  end
  local b = copy(a)
  if params.page then
    local n = type(uri) == "string" and tonumber(uri:match("[?&]page=(%d+)")) or current + 1
    if n <= current then return nil end
    b.page = n
  elseif params.path and type(uri) == "string" then
    b.path = uri
  else
    return nil
  end
  return b
end

local function pages(f, args)
  local a, params = first_call(f, args, "paging.pages")
  return function()
    if not a then return nil end
    local page = f(a)
    a = next_call(page, a, params)
    return page
  end
end

local function all(f, args, options)
  if options ~= nil and type(options) ~= "table" then refuse("paging.all: options must be a table, e.g. { max_records = 500 }") end
  local max = options and options.max_records
  if max ~= nil and (type(max) ~= "number" or max < 1) then
    refuse("paging.all: max_records must be a number of 1 or more")
  end
  local a, params, name = first_call(f, args, "paging.all")
  local records = {}
  while a do
    local page = f(a)
    local got = type(page) == "table" and page.records
    if type(got) ~= "table" then refuse("paging.all: " .. name .. " answered a page without records") end
    for _, record in ipairs(got) do
      records[#records + 1] = record
      if max and #records >= max then return records end
    end
    if #got == 0 then break end
    a = next_call(page, a, params)
  end
  return records
end

return { pages = pages, all = all }
"#;

pub fn install(lua: &Lua, env: &Table, host: Arc<Host>) -> mlua::Result<()> {
    let tool_of: Function = lua.named_registry_value(TOOL_OF)?;
    let error_here: Function = lua.named_registry_value(ERROR_HERE)?;
    let tool_params = lua.create_function(move |lua, (id, tool): (String, String)| {
        let names = lua.create_table()?;
        let plugin = host.plugin(&id);
        let properties =
            plugin.as_ref().and_then(|p| p.tool(&tool)).and_then(|t| t.input_schema["properties"].as_object());
        for name in properties.into_iter().flat_map(|p| p.keys()) {
            names.raw_set(name.as_str(), true)?;
        }
        Ok(names)
    })?;
    let globals = lua.globals();
    let os: Table = globals.raw_get("os")?;
    let paging: Table = lua.load(PAGING).set_name(format!("={HOST_CHUNK}")).call((
        tool_of,
        tool_params,
        error_here,
        os.raw_get::<Function>("time")?,
        os.raw_get::<Function>("date")?,
        globals.raw_get::<Function>("pairs")?,
        globals.raw_get::<Function>("ipairs")?,
        globals.raw_get::<Function>("type")?,
        globals.raw_get::<Function>("tonumber")?,
    ))?;
    env.raw_set("paging", paging)
}
