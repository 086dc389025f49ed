//! The Lua 5.4 sandbox: a whitelisted environment, a memory limit and a CPU
//! limit that scripts cannot swallow. Scripts get no `io`, no `os` beyond the
//! clock, no module loading, no `debug`, no `collectgarbage`, no `load`, no
//! `string.dump` and no binary chunks.
//!
//! Lua 5.4 has three known holes around an instruction-count hook (see the
//! mlua research notes), closed here:
//! * a hook error is an ordinary error, so `pcall` in a loop could swallow the
//!   kill: the kill is sticky, and the `pcall`/`xpcall` wrappers re-raise it;
//! * `xpcall` handlers run with hooks disabled after a hook error: the wrapper
//!   never calls the script's handler once the script was killed;
//! * `__gc` finalizers run with hooks disabled, even when the state closes:
//!   `setmetatable` refuses metatables with a `__gc` field.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mlua::{Function, HookTriggers, Lua, LuaOptions, StdLib, Table, Value, VmState};

#[derive(Clone, Copy, Debug)]
pub struct LuaLimits {
    pub memory_bytes: usize,
    pub cpu: Duration,
}

impl Default for LuaLimits {
    fn default() -> Self {
        // As the original `integrations:lua`: 32 MiB and 30 s.
        LuaLimits { memory_bytes: 32 << 20, cpu: Duration::from_secs(30) }
    }
}

/// Globals copied from the base library as they are.
const SAFE_GLOBALS: &[&str] = &[
    "assert",
    "error",
    "ipairs",
    "next",
    "pairs",
    "select",
    "tonumber",
    "tostring",
    "type",
    "rawequal",
    "rawlen",
    "rawget",
    "rawset",
    "getmetatable",
    "_VERSION",
];
const SAFE_LIBRARIES: &[&str] = &["string", "table", "math", "utf8"];
const SAFE_OS: &[&str] = &["time", "date", "clock", "difftime"];

/// `pcall`, `xpcall` and `setmetatable` as scripts see them. Written in Lua so
/// they stay yieldable (a tool call inside `pcall` waits on the network).
const GUARDED_BUILTINS: &str = r#"
local raw_pcall, raw_xpcall, raw_setmetatable, rawget, type, error, killed, limit_message = ...

local function unless_killed(...)
  if killed() then error(limit_message(), 0) end
  return ...
end

local function pcall(f, ...)
  return unless_killed(raw_pcall(f, ...))
end

local function xpcall(f, handler, ...)
  local function guarded_handler(e)
    if killed() then return e end
    return handler(e)
  end
  return unless_killed(raw_xpcall(f, guarded_handler, ...))
end

local function setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("setmetatable: __gc finalizers are not allowed in the sandbox", 2)
  end
  return raw_setmetatable(t, mt)
end

return pcall, xpcall, setmetatable
"#;

/// Tool calls the script is waiting on (Lua app data). While one is in
/// flight the CPU hook does not yield: a yield from the hook while mlua polls
/// an async call lost that call's wake-up, and a plugin streaming a request
/// body then stalled until the wall-clock limit. The call has its own limits.
#[derive(Clone, Default)]
pub struct CallsInFlight(Arc<AtomicUsize>);

impl CallsInFlight {
    /// Counts a call until the returned guard is dropped.
    pub fn enter(&self) -> CallInFlight {
        self.0.fetch_add(1, Ordering::Relaxed);
        CallInFlight(self.0.clone())
    }

    fn any(&self) -> bool {
        self.0.load(Ordering::Relaxed) > 0
    }
}

pub struct CallInFlight(Arc<AtomicUsize>);

impl Drop for CallInFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub struct Sandbox {
    pub lua: Lua,
    /// The environment scripts run in; host globals are added to it.
    pub env: Table,
    /// Set once the running chunk is stopped at its limit (until re-armed).
    killed: Arc<AtomicBool>,
    calls: CallsInFlight,
    limits: LuaLimits,
}

impl Sandbox {
    pub fn new(limits: LuaLimits) -> mlua::Result<Sandbox> {
        let lua = Lua::new_with(
            StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::UTF8 | StdLib::OS,
            LuaOptions::default(),
        )?;
        let globals = lua.globals();
        let string: Table = globals.get("string")?;
        // `("").dump` reaches the string library through the string metatable;
        // hiding that metatable keeps scripts from the host's library table.
        string.raw_remove("dump")?;
        let string_meta: Table = lua.load("return getmetatable('')").set_name("=kosmo").eval()?;
        string_meta.raw_set("__metatable", false)?;

        let env = lua.create_table()?;
        for name in SAFE_GLOBALS {
            env.raw_set(*name, globals.raw_get::<Value>(*name)?)?;
        }
        for name in SAFE_LIBRARIES {
            env.raw_set(*name, copy_table(&lua, &globals.get::<Table>(*name)?)?)?;
        }
        let os = globals.get::<Table>("os")?;
        let safe_os = lua.create_table()?;
        for name in SAFE_OS {
            safe_os.raw_set(*name, os.raw_get::<Value>(*name)?)?;
        }
        env.raw_set("os", safe_os)?;
        env.raw_set("_G", env.clone())?;

        let killed = Arc::new(AtomicBool::new(false));
        let is_killed = {
            let killed = killed.clone();
            lua.create_function(move |_, ()| Ok(killed.load(Ordering::Relaxed)))?
        };
        let limit_message = lua.create_function(move |_, ()| Ok(cpu_limit_message(limits.cpu)))?;
        let (pcall, xpcall, setmetatable): (Function, Function, Function) =
            lua.load(GUARDED_BUILTINS).set_name("=kosmo").call((
                globals.raw_get::<Function>("pcall")?,
                globals.raw_get::<Function>("xpcall")?,
                globals.raw_get::<Function>("setmetatable")?,
                globals.raw_get::<Function>("rawget")?,
                globals.raw_get::<Function>("type")?,
                globals.raw_get::<Function>("error")?,
                is_killed,
                limit_message,
            ))?;
        env.raw_set("pcall", pcall)?;
        env.raw_set("xpcall", xpcall)?;
        env.raw_set("setmetatable", setmetatable)?;

        lua.set_memory_limit(limits.memory_bytes)?;
        let calls = CallsInFlight::default();
        lua.set_app_data(calls.clone());
        Ok(Sandbox { lua, env, killed, calls, limits })
    }

    /// Arms the CPU limit; call once setup is done, right before the script
    /// runs (the REPL: before each statement, which gets the whole limit).
    pub fn arm_cpu_limit(&self) -> mlua::Result<()> {
        let deadline = Instant::now() + self.limits.cpu;
        // Tool calls and `sleep` read it: a rate-limit wait must not outlast the script.
        self.lua.set_app_data(crate::pacing::Deadline {
            at: deadline,
            what: format!("the script's time limit of {} s (--cpu-limit)", self.limits.cpu.as_secs_f64()),
        });
        self.killed.store(false, Ordering::Relaxed);
        let killed = self.killed.clone();
        let cpu = self.limits.cpu;
        let last_yield = std::sync::Mutex::new(Instant::now());
        let calls = self.calls.clone();
        self.lua.set_global_hook(HookTriggers::new().every_nth_instruction(1000), move |_, _| {
            let now = Instant::now();
            if killed.load(Ordering::Relaxed) || now >= deadline {
                killed.store(true, Ordering::Relaxed);
                return Err(mlua::Error::runtime(cpu_limit_message(cpu)));
            }
            if calls.any() {
                return Ok(VmState::Continue);
            }
            // Yield now and then so the wall-clock timeout can fire too.
            let mut last = last_yield.lock().unwrap_or_else(|e| e.into_inner());
            if now.duration_since(*last) > Duration::from_millis(20) {
                *last = now;
                return Ok(VmState::Yield);
            }
            Ok(VmState::Continue)
        })
    }

    pub fn was_killed(&self) -> bool {
        self.killed.load(Ordering::Relaxed)
    }

    pub fn limits(&self) -> LuaLimits {
        self.limits
    }
}

pub fn cpu_limit_message(cpu: Duration) -> String {
    format!("Lua CPU limit of {} s exceeded (raise it with --cpu-limit)", cpu.as_secs_f64())
}

/// A shallow copy, so scripts cannot change the host's library tables.
fn copy_table(lua: &Lua, source: &Table) -> mlua::Result<Table> {
    let copy = lua.create_table()?;
    for pair in source.pairs::<Value, Value>() {
        let (key, value) = pair?;
        copy.raw_set(key, value)?;
    }
    Ok(copy)
}
