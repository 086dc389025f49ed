//! The Lua 5.4 sandbox: a whitelisted environment, a memory limit and a CPU
//! limit. Scripts get no `io`, no `os` beyond the clock, no module loading,
//! no `debug`, no `string.dump` and no binary chunks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mlua::{HookTriggers, Lua, LuaOptions, StdLib, Table, Value, VmState};

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
    "setmetatable",
    "pcall",
    "xpcall",
    "_VERSION",
];
const SAFE_LIBRARIES: &[&str] = &["string", "table", "math", "utf8"];
const SAFE_OS: &[&str] = &["time", "date", "clock", "difftime"];

pub struct Sandbox {
    pub lua: Lua,
    /// The environment scripts run in; host globals are added to it.
    pub env: Table,
    killed: Arc<AtomicBool>,
    limits: LuaLimits,
}

impl Sandbox {
    pub fn new(limits: LuaLimits) -> mlua::Result<Sandbox> {
        let lua = Lua::new_with(
            StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::UTF8 | StdLib::OS,
            LuaOptions::default(),
        )?;
        let globals = lua.globals();
        // `("").dump` reaches the string library through the string metatable.
        globals.get::<Table>("string")?.raw_remove("dump")?;

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
        lua.set_memory_limit(limits.memory_bytes)?;
        Ok(Sandbox { lua, env, killed: Arc::new(AtomicBool::new(false)), limits })
    }

    /// Arms the CPU limit; call once setup is done, right before the script runs.
    pub fn arm_cpu_limit(&self) -> mlua::Result<()> {
        let deadline = Instant::now() + self.limits.cpu;
        let killed = self.killed.clone();
        let cpu = self.limits.cpu;
        let last_yield = std::sync::Mutex::new(Instant::now());
        self.lua.set_global_hook(HookTriggers::new().every_nth_instruction(1000), move |_, _| {
            let now = Instant::now();
            if killed.load(Ordering::Relaxed) || now >= deadline {
                killed.store(true, Ordering::Relaxed);
                return Err(mlua::Error::runtime(cpu_limit_message(cpu)));
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
