//! The plugin runtime: one wasmtime Engine, plugins compiled once, and a
//! fresh Store per call with a WASI context that grants nothing, the HTTP
//! gate, and limits on memory, time and HTTP.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits, StoreLimitsBuilder,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::cache::{self, CompileCache};
use crate::caps;
use crate::connections::Connections;
use crate::credentials::Access;
use crate::gate::{Capture, Gate, HttpLimits};
use crate::pacing::Deadline;
use crate::permission::OperationKind;

mod worlds;

use worlds::{Bound, CallContext, Tool, WorldPre};
pub use worlds::{Manifest, Operation, SUPPORTED_API_VERSIONS, ToolError};

const EPOCH_TICK: Duration = Duration::from_millis(10);
/// What one Store (one call) may create: core instances, tables, memories.
const MAX_CORE_INSTANCES_PER_CALL: u32 = 32;
const MAX_TABLES_PER_CALL: u32 = 32;
const MAX_MEMORIES_PER_CALL: u32 = 8;
/// Host-side objects (requests, bodies, streams...) one call may hold at once:
/// the plugin's linear memory is capped, and so is what it makes the host keep.
/// A RingCentral request takes about ten; each object's size is capped too
/// (header fields, queued body chunks), so together they stay a few tens of MiB.
const MAX_RESOURCES: usize = 1_000;
/// Bytes of one header-fields resource, as wasmtime counts them (names and
/// values plus their in-memory headers); wasmtime's default is 128 KiB.
const MAX_FIELDS_BYTES: usize = 16 << 10;
/// What a tool's result may be before the host parses it into JSON (and then
/// Lua): the response body cap is 16 MiB, and a result is about a response.
pub const MAX_RESULT_BYTES: usize = 32 << 20;
/// Values (scalars and containers) in a result, and how deeply it may nest.
pub const MAX_RESULT_VALUES: usize = 1_000_000;
pub const MAX_RESULT_DEPTH: usize = 64;
/// Overrides the CPU and wall-clock limits of plugin calls, in milliseconds.
pub const TIMEOUT_ENV: &str = "KOSMO_PLUGIN_TIMEOUT_MS";

/// Limits applied to every call into a plugin.
#[derive(Clone, Debug)]
pub struct CallLimits {
    pub memory_bytes: usize,
    /// Time the plugin may spend, counted in epoch ticks while wasm runs.
    pub cpu: Duration,
    /// Time the whole call may take, HTTP waits included.
    pub wall: Duration,
    pub http: HttpLimits,
    /// Calls that may hold a plugin instance at once; further calls wait for
    /// one to finish. The instance pool is sized for this many.
    pub concurrent_calls: u32,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            memory_bytes: 64 << 20,
            cpu: Duration::from_secs(30),
            wall: Duration::from_secs(30),
            http: HttpLimits::default(),
            concurrent_calls: 64,
        }
    }
}

impl CallLimits {
    /// `KOSMO_PLUGIN_TIMEOUT_MS` sets both the CPU and the wall-clock limit
    /// (1 ms to 1 hour), e.g. to make tests of a looping plugin quick.
    fn with_environment(self) -> CallLimits {
        self.with_timeout_override(std::env::var_os(TIMEOUT_ENV).as_deref())
    }

    /// The limits with [`TIMEOUT_ENV`]'s value (if set) applied; a value out of
    /// range or not a number is ignored with a warning.
    fn with_timeout_override(mut self, value: Option<&std::ffi::OsStr>) -> CallLimits {
        let Some(value) = value else { return self };
        match value.to_str().and_then(|v| v.trim().parse::<u64>().ok()).filter(|ms| (1..=3_600_000).contains(ms)) {
            Some(ms) => {
                self.cpu = Duration::from_millis(ms);
                self.wall = Duration::from_millis(ms);
            }
            None => crate::log::warn(format!("ignoring {TIMEOUT_ENV}={value:?}: expected milliseconds, 1 to 3600000")),
        }
        self
    }
}

/// The state of one Store: one call.
struct CallState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    gate: Gate,
    limits: StoreLimits,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.gate }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub title: String,
    pub description: String,
    pub operation: OperationKind,
    pub input_schema: serde_json::Value,
    /// The JSON Schema of a successful result (an object), if the tool declares one.
    pub output_schema: Option<serde_json::Value>,
    /// It may delete or overwrite data (meaningful for writes).
    pub destructive: bool,
    /// Repeating it with the same arguments changes nothing more.
    pub idempotent: bool,
}

impl From<Operation> for OperationKind {
    fn from(operation: Operation) -> OperationKind {
        match operation {
            Operation::Read => OperationKind::Read,
            Operation::Write => OperationKind::Write,
        }
    }
}

/// A loaded, validated plugin.
pub struct Plugin {
    pub path: PathBuf,
    pub manifest: Manifest,
    pub tools: Vec<ToolInfo>,
    /// sha256 of the component's bytes.
    pub sha256: cache::Sha256Digest,
    /// Carried inside the kosmo binary rather than read from the plugin directory.
    pub builtin: bool,
    pre: WorldPre<CallState>,
}

impl Plugin {
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    pub fn tool(&self, name: &str) -> Option<&ToolInfo> {
        self.tools.iter().find(|t| t.name == name)
    }
}

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// The plugin answered with a tool error; `host` holds what the gate
    /// itself observed (why it denied a request, why it gave up retrying).
    Tool { error: ToolError, host: Vec<String> },
    /// The plugin trapped, panicked or hit a limit; its Store was discarded.
    Plugin(String),
    /// The call took longer than the wall-clock limit.
    Timeout(Duration),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (error, host) = match self {
            CallError::Tool { error, host } => (error, host),
            CallError::Plugin(m) => return write!(f, "the plugin failed: {m}"),
            CallError::Timeout(d) => {
                return write!(f, "the call took longer than {} s and was stopped", d.as_secs_f64());
            }
        };
        match error {
            ToolError::InvalidArguments(m) => write!(f, "invalid arguments: {m}")?,
            ToolError::UnknownTool(m) => write!(f, "{m}")?,
            ToolError::Api(e) => {
                write!(f, "RingCentral API error: HTTP {}", e.status)?;
                if let Some(code) = &e.error_code {
                    write!(f, " {code}")?;
                }
                write!(f, ": {}", e.message)?;
                if let Some(p) = &e.parameter_name {
                    write!(f, " (parameter '{p}')")?;
                }
                if let Some(id) = &e.request_id {
                    write!(f, " [RCRequestId {id}]")?;
                }
            }
            ToolError::Transport(m) => write!(f, "request failed: {m}")?,
            // The host's own reason beats the plugin's account of it.
            ToolError::Denied(_) if !host.is_empty() => {
                return write!(f, "request denied by the host: {}", host.join("; "));
            }
            ToolError::Denied(m) => write!(f, "request denied by the host: {m}")?,
        }
        if !host.is_empty() {
            write!(f, " (host: {})", host.join("; "))?;
        }
        Ok(())
    }
}

pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    limits: CallLimits,
    cache: Option<CompileCache>,
    /// One permit per instance the pool can hold.
    slots: Arc<tokio::sync::Semaphore>,
    /// Keep-alive connections, shared by every call's gate.
    connections: Connections,
}

/// Pre-allocated slots for instances, memories, tables and async stacks, reused
/// from call to call instead of mapped and unmapped each time.
fn pool_config(limits: &CallLimits) -> PoolingAllocationConfig {
    let calls = limits.concurrent_calls.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(calls)
        .total_stacks(calls)
        .total_core_instances(calls * MAX_CORE_INSTANCES_PER_CALL)
        .total_tables(calls * MAX_TABLES_PER_CALL)
        .total_memories(calls * MAX_MEMORIES_PER_CALL)
        .max_core_instances_per_component(MAX_CORE_INSTANCES_PER_CALL)
        .max_tables_per_component(MAX_TABLES_PER_CALL)
        .max_memories_per_component(MAX_MEMORIES_PER_CALL)
        .max_memory_size(pool_memory_size(limits));
    pool
}

/// A pool slot holds a page more than the memory limit, so that growing past
/// the limit is refused by the StoreLimits (with an error that names it).
fn pool_memory_size(limits: &CallLimits) -> usize {
    limits.memory_bytes + (64 << 10)
}

impl Runtime {
    /// `KOSMO_PLUGIN_TIMEOUT_MS`, if set, overrides the CPU and wall limits.
    pub fn new(limits: CallLimits) -> Result<Runtime> {
        let limits = limits.with_environment();
        let mut config = Config::new();
        config.epoch_interruption(true);
        // WASI p2 plugins make plain (fiber-based) async calls; the component
        // model's concurrent ABI would only add bookkeeping to every host call.
        config.concurrency_support(false);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool_config(&limits)));
        // Slots as large as a plugin may grow (the StoreLimits say no first), not 4 GiB each.
        config.memory_reservation(pool_memory_size(&limits) as u64);
        let engine = Engine::new(&config)?;
        start_epoch_ticker(&engine);

        let mut linker = Linker::new(&engine);
        // Full WASI p2, so std-built components link; the context grants nothing.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.concurrent_calls.max(1) as usize));
        let connections = Connections::new(limits.http.connect_timeout);
        Ok(Runtime { engine, linker, limits, cache: None, slots, connections })
    }

    /// Where compiled plugins are cached; `None` compiles every time.
    pub fn set_cache(&mut self, cache: Option<CompileCache>) {
        self.cache = cache;
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compiles and validates a plugin from its bytes (`path` names it); the
    /// error says what is wrong with it.
    pub async fn load_bytes(&self, path: &Path, bytes: Vec<u8>) -> Result<Plugin> {
        let sha256 = cache::sha256(&bytes);
        let component = self.compile(path, bytes, sha256).await?;
        let description = self.describe(path, &component).await?;
        validate(path, description, sha256)
    }

    /// Compiles a component (or takes it from the compile cache) on a blocking
    /// thread, off the async workers that serve calls.
    pub async fn compile(&self, path: &Path, bytes: Vec<u8>, sha256: cache::Sha256Digest) -> Result<Component> {
        if !looks_like_component(&bytes) {
            bail!("{} is not a WebAssembly component", path.display());
        }
        let engine = self.engine.clone();
        let cache = self.cache.clone();
        let label = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let compiled = tokio::task::spawn_blocking(move || match cache {
            Some(cache) => cache.get_or_compile(&engine, &label, &bytes, &sha256),
            None => {
                let started = std::time::Instant::now();
                let component = cache::compile(&engine, &bytes);
                crate::log::debug(format!(
                    "compiled {label} in {} (no compile cache)",
                    crate::log::ms(started.elapsed())
                ));
                component
            }
        })
        .await
        .map_err(|e| anyhow!("compiling {} stopped: {e}", path.display()))?;
        compiled.map_err(|e| anyhow!("{} is not a valid component: {e}", path.display()))
    }

    /// Links a component against the host and asks it to describe itself
    /// (manifest and tools) in a fresh, deny-all Store.
    pub async fn describe(&self, path: &Path, component: &Component) -> Result<Description> {
        let instance_pre = self
            .linker
            .instantiate_pre(component)
            .map_err(|e| anyhow!("{} needs imports this host does not grant: {e}", path.display()))?;
        let pre = WorldPre::new(instance_pre)
            .map_err(|e| anyhow!("{} does not implement the kosmo:integration world: {e}", path.display()))?;

        let probe = Access::offline(String::new(), String::new());
        let (manifest, tools) = self
            .with_instance(&pre, &probe, async |instance, store| {
                let manifest = instance.manifest(store).await?;
                let tools = instance.list_tools(store).await?;
                Ok((manifest, tools))
            })
            .await
            .0
            .map_err(|e| anyhow!("{} failed while describing itself: {e}", path.display()))?;
        Ok(Description { pre, manifest, tools })
    }

    pub async fn call_tool(
        &self,
        plugin: &Plugin,
        tool: &str,
        arguments: &str,
        access: &Access,
    ) -> Result<String, CallError> {
        self.call_tool_capturing(plugin, tool, arguments, access, None).await
    }

    /// [`Runtime::call_tool`] as a preview: the gate records the requests in
    /// `capture` and holds them back (see `gate/capture.rs`).
    pub async fn call_tool_capturing(
        &self,
        plugin: &Plugin,
        tool: &str,
        arguments: &str,
        access: &Access,
        capture: Option<Capture>,
    ) -> Result<String, CallError> {
        let context = CallContext { account: access.account.clone(), server_origin: access.server_origin.clone() };
        let (outcome, host) = self
            .with_instance_capturing(&plugin.pre, access, capture, async |instance, store| {
                instance.call_tool(store, tool, arguments, &context).await
            })
            .await;
        match outcome {
            Ok(Ok(result)) => check_result_size(&result).map(|()| result).map_err(CallError::Plugin),
            Ok(Err(error)) => Err(CallError::Tool { error, host }),
            Err(CallError::Plugin(why)) if !host.is_empty() => {
                Err(CallError::Plugin(format!("{why} (host: {})", host.join("; "))))
            }
            Err(error) => Err(error),
        }
    }

    pub async fn read_docs(&self, plugin: &Plugin, topic: &str) -> Result<Option<String>, CallError> {
        let access = Access::offline(String::new(), String::new());
        let page = self
            .with_instance(&plugin.pre, &access, async |instance, store| instance.read_docs(store, topic).await)
            .await
            .0?;
        if let Some(text) = &page {
            caps::check_docs_page(topic, text.len()).map_err(CallError::Plugin)?;
        }
        Ok(page)
    }

    /// Runs `body` against a fresh instance in a fresh Store, under the limits.
    /// Whatever happens, the Store is dropped afterwards. Also returns the
    /// gate's notes: why it denied requests or stopped retrying.
    async fn with_instance<R>(
        &self,
        pre: &WorldPre<CallState>,
        access: &Access,
        body: impl AsyncFnOnce(&Bound, &mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> (Result<R, CallError>, Vec<String>) {
        self.with_instance_capturing(pre, access, None, body).await
    }

    async fn with_instance_capturing<R>(
        &self,
        pre: &WorldPre<CallState>,
        access: &Access,
        capture: Option<Capture>,
        body: impl AsyncFnOnce(&Bound, &mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> (Result<R, CallError>, Vec<String>) {
        // Never closed, so acquiring only waits.
        let _slot = self.slots.acquire().await.expect("the slot semaphore is never closed");
        // Rate-limit waits happen inside the call, so its wall-clock limit bounds them too.
        let pacing = access.pacing.clone().map(|mut pacing| {
            let wall = Deadline {
                at: std::time::Instant::now() + self.limits.wall,
                what: format!("the plugin call's time limit of {} s", self.limits.wall.as_secs_f64()),
            };
            pacing.deadline = Deadline::earliest(pacing.deadline.take(), Some(wall));
            pacing
        });
        let gate = Gate::new(
            access.policy.clone(),
            access.bearer.clone(),
            self.limits.http.clone(),
            self.connections.clone(),
            pacing,
        )
        .capturing(capture);
        let notes = gate.notes().clone();
        let mut table = ResourceTable::new();
        table.set_max_capacity(MAX_RESOURCES);
        let state = CallState {
            // Nothing: no env, args, preopens, sockets or name lookups; stdin
            // is closed and stdout/stderr go nowhere.
            wasi: WasiCtx::builder().allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false).build(),
            http: {
                let mut http = WasiHttpCtx::new();
                http.set_field_size_limit(MAX_FIELDS_BYTES);
                http
            },
            table,
            gate,
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .instances(MAX_CORE_INSTANCES_PER_CALL as usize)
                .tables(MAX_TABLES_PER_CALL as usize)
                .memories(MAX_MEMORIES_PER_CALL as usize)
                .trap_on_grow_failure(true)
                .build(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        let ticks = (self.limits.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();

        let run = async {
            let instance = pre.instantiate(&mut store).await?;
            body(&instance, &mut store).await
        };
        let outcome = match tokio::time::timeout(self.limits.wall, run).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(CallError::Plugin(describe_trap(&error, &self.limits))),
            Err(_) => Err(CallError::Timeout(self.limits.wall)),
        };
        drop(store);
        (outcome, notes.take())
    }
}

/// What a component says about itself, before the host judged it.
pub struct Description {
    pre: WorldPre<CallState>,
    pub manifest: Manifest,
    pub tools: Vec<Tool>,
}

/// A plugin from its description, once [`check_description`] accepts it.
pub fn validate(path: &Path, description: Description, sha256: cache::Sha256Digest) -> Result<Plugin> {
    let Description { pre, manifest, tools } = description;
    let tools = check_description(path, &manifest, pre.api_version(), tools)?;
    Ok(Plugin { path: path.to_path_buf(), manifest, tools, sha256, builtin: false, pre })
}

/// The host's checks on what a plugin says about itself: a supported WIT
/// world version, a valid id and version, tool names valid and unique, the
/// caps of `caps.rs`, schemas that are JSON (an output schema an object
/// schema). `exports_version` is the world the component's exports fit.
/// Gives the tools as the host keeps them; the error names the file and the rule.
fn check_description(
    path: &Path,
    manifest: &Manifest,
    exports_version: &str,
    raw_tools: Vec<Tool>,
) -> Result<Vec<ToolInfo>> {
    if !SUPPORTED_API_VERSIONS.contains(&manifest.api_version.as_str()) {
        bail!(
            "{} targets kosmo:integration@{}, but this host supports {}",
            path.display(),
            caps::clip(&manifest.api_version),
            SUPPORTED_API_VERSIONS.join(", ")
        );
    }
    if manifest.api_version != exports_version {
        bail!(
            "{} says it targets kosmo:integration@{}, but its exports are those of {exports_version}",
            path.display(),
            manifest.api_version
        );
    }
    let refuse = |reason: String| anyhow!("{} {reason}", path.display());
    caps::check_manifest(&caps::ManifestText {
        id: &manifest.id,
        name: &manifest.name,
        version: &manifest.version,
        description: &manifest.description,
    })
    .map_err(refuse)?;
    let texts = raw_tools.iter().map(|t| caps::ToolText {
        name: &t.name,
        title: &t.title,
        description: &t.description,
        schema: &t.input_schema,
        output_schema: t.output_schema.as_deref().unwrap_or(""),
    });
    caps::check_tools(raw_tools.len(), texts).map_err(refuse)?;
    let mut tools = Vec::with_capacity(raw_tools.len());
    for tool in raw_tools {
        let input_schema = serde_json::from_str(&tool.input_schema)
            .map_err(|e| anyhow!("{}: the schema of {} is not JSON: {e}", path.display(), tool.name))?;
        let output_schema = match &tool.output_schema {
            None => None,
            Some(text) => Some(
                check_output_schema(text)
                    .map_err(|e| anyhow!("{}: the output schema of {} is {e}", path.display(), tool.name))?,
            ),
        };
        tools.push(ToolInfo {
            name: tool.name,
            title: tool.title,
            description: tool.description,
            operation: tool.operation.into(),
            input_schema,
            output_schema,
            destructive: tool.effects.contains(worlds::Effects::DESTRUCTIVE),
            idempotent: tool.effects.contains(worlds::Effects::IDEMPOTENT),
        });
    }
    Ok(tools)
}

/// MCP's `outputSchema` describes `structuredContent`, which is an object.
fn check_output_schema(text: &str) -> Result<serde_json::Value, String> {
    let schema: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if schema.get("type").and_then(serde_json::Value::as_str) != Some("object") {
        return Err("not the schema of an object (\"type\": \"object\")".into());
    }
    Ok(schema)
}

/// A wasm trap rendered for a person: which limit was hit, if one was.
fn describe_trap(error: &wasmtime::Error, limits: &CallLimits) -> String {
    let root = error.root_cause().to_string();
    if root.contains("forcing trap when growing memory") {
        return format!("it exceeded its memory limit of {} MiB", limits.memory_bytes >> 20);
    }
    if root.contains("total size of fields exceeds limit") {
        return format!("its header fields exceeded the limit of {} KiB per fields resource", MAX_FIELDS_BYTES >> 10);
    }
    if root.contains("resource table has no free keys") {
        return format!("it held more than {MAX_RESOURCES} host resources (requests, streams, ...) at once");
    }
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return format!("it called exit (status {}) instead of returning", exit.0);
    }
    let Some(trap) = error.downcast_ref::<wasmtime::Trap>() else {
        return first_line(&root).to_string();
    };
    match trap {
        wasmtime::Trap::Interrupt => format!("it ran longer than its CPU limit of {} s", limits.cpu.as_secs_f64()),
        wasmtime::Trap::StackOverflow => "it overflowed its stack".into(),
        // Rust keeps large frames on a stack in linear memory; recursing past
        // it runs off the start of memory.
        wasmtime::Trap::MemoryOutOfBounds if is_deep_recursion(error) => {
            format!("it overflowed its stack (deep recursion; {trap})")
        }
        wasmtime::Trap::UnreachableCodeReached => format!("it crashed: it panicked or aborted ({trap})"),
        other => format!("it crashed ({other})"),
    }
}

/// A result the host will parse: within [`MAX_RESULT_BYTES`], [`MAX_RESULT_VALUES`]
/// and [`MAX_RESULT_DEPTH`]. One pass over the text, before any tree is built:
/// a wide array of small values costs the parsed tree many times its text.
pub(crate) fn check_result_size(text: &str) -> Result<(), String> {
    if text.len() > MAX_RESULT_BYTES {
        return Err(format!(
            "its result is {} MiB, larger than the {} MiB limit",
            text.len() >> 20,
            MAX_RESULT_BYTES >> 20
        ));
    }
    let (mut values, mut depth) = (1usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_RESULT_DEPTH {
                    return Err(format!("its result nests deeper than the limit of {MAX_RESULT_DEPTH} levels"));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            // Each comma starts one more value (an object's key and value count once).
            b',' => {
                values += 1;
                if values > MAX_RESULT_VALUES {
                    return Err(format!("its result holds more than the limit of {MAX_RESULT_VALUES} values"));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The trap's backtrace is one function calling itself, all the way down.
fn is_deep_recursion(error: &wasmtime::Error) -> bool {
    let Some(backtrace) = error.downcast_ref::<wasmtime::WasmBacktrace>() else { return false };
    let frames = backtrace.frames();
    frames.len() >= 16 && frames.windows(2).all(|pair| pair[0].func_index() == pair[1].func_index())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// A component (not a core module) starts with `\0asm`, then version 0x0d and layer 1.
fn looks_like_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && &bytes[0..4] == b"\0asm" && bytes[6..8] == [1, 0]
}

/// Advances the engine's epoch so deadlines fire; stops when the engine is gone.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("kosmo-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch thread");
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::path::Path;
    use std::time::Duration;

    use super::*;

    fn manifest(id: &str, api_version: &str) -> Manifest {
        Manifest {
            id: id.into(),
            name: "Test".into(),
            version: "1.0.0".into(),
            api_version: api_version.into(),
            description: "A test plugin.".into(),
        }
    }

    fn tool(name: &str, operation: Operation, schema: &str) -> Tool {
        Tool {
            name: name.into(),
            title: format!("Title of {name}"),
            description: format!("What {name} does."),
            operation,
            input_schema: schema.into(),
            output_schema: None,
            effects: worlds::Effects::empty(),
        }
    }

    fn refusal(manifest: &Manifest, tools: Vec<Tool>) -> String {
        match check_description(Path::new("p.wasm"), manifest, "0.1.0", tools) {
            Ok(tools) => panic!("accepted {} tools", tools.len()),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_valid_description_gives_the_tools_as_the_host_keeps_them() {
        let tools = vec![
            tool("list_things", Operation::Read, r#"{"type":"object"}"#),
            tool("make_thing", Operation::Write, r#"{"type":"object","required":["name"]}"#),
        ];
        let checked = check_description(Path::new("p.wasm"), &manifest("test", "0.1.0"), "0.1.0", tools).unwrap();
        let summary: Vec<(&str, OperationKind)> = checked.iter().map(|t| (t.name.as_str(), t.operation)).collect();
        assert_eq!(summary, [("list_things", OperationKind::Read), ("make_thing", OperationKind::Write)]);
        assert_eq!(checked[1].input_schema["required"][0], "name");
        assert_eq!(checked[0].title, "Title of list_things");
    }

    #[test]
    fn a_description_is_refused_with_the_file_and_the_rule() {
        let good = || vec![tool("list_things", Operation::Read, "{}")];
        let unsupported = refusal(&manifest("test", "9.9.9"), good());
        assert_eq!(unsupported, "p.wasm targets kosmo:integration@9.9.9, but this host supports 0.1.0, 0.2.0");

        let mismatched = refusal(&manifest("test", "0.2.0"), good());
        assert_eq!(mismatched, "p.wasm says it targets kosmo:integration@0.2.0, but its exports are those of 0.1.0");

        let list_output =
            |schema: &str| Tool { output_schema: Some(schema.into()), ..tool("list_things", Operation::Read, "{}") };
        let not_object = refusal(&manifest("test", "0.1.0"), vec![list_output(r#"{"type":"array"}"#)]);
        assert!(not_object.contains("the output schema of list_things is not the schema of an object"), "{not_object}");

        let bad_id = refusal(&manifest("Bad.Id", "0.1.0"), good());
        assert!(bad_id.starts_with("p.wasm has an invalid id \"Bad.Id\""), "{bad_id}");

        let twice = vec![tool("same", Operation::Read, "{}"), tool("same", Operation::Write, "{}")];
        let duplicate = refusal(&manifest("test", "0.1.0"), twice);
        assert!(duplicate.starts_with("p.wasm ") && duplicate.contains("same"), "{duplicate}");

        let not_json = refusal(&manifest("test", "0.1.0"), vec![tool("list_things", Operation::Read, "{nope")]);
        assert!(not_json.starts_with("p.wasm: the schema of list_things is not JSON: "), "{not_json}");
    }

    #[test]
    fn traps_name_the_limit_they_hit() {
        let limits = CallLimits { memory_bytes: 8 << 20, cpu: Duration::from_millis(1500), ..CallLimits::default() };
        let cases: Vec<(wasmtime::Error, String)> = vec![
            (wasmtime::Error::new(wasmtime::Trap::Interrupt), "it ran longer than its CPU limit of 1.5 s".into()),
            (wasmtime::Error::new(wasmtime::Trap::StackOverflow), "it overflowed its stack".into()),
            (
                wasmtime::Error::new(wasmtime::Trap::UnreachableCodeReached),
                format!("it crashed: it panicked or aborted ({})", wasmtime::Trap::UnreachableCodeReached),
            ),
            // Out of bounds without a backtrace of one function recursing: a plain crash.
            (
                wasmtime::Error::new(wasmtime::Trap::MemoryOutOfBounds),
                format!("it crashed ({})", wasmtime::Trap::MemoryOutOfBounds),
            ),
            (wasmtime::Error::new(wasmtime_wasi::I32Exit(3)), "it called exit (status 3) instead of returning".into()),
            // The root cause decides, however it is wrapped.
            (
                wasmtime::Error::msg("forcing trap when growing memory to 9000000 bytes").context("in the plugin"),
                "it exceeded its memory limit of 8 MiB".into(),
            ),
            (
                wasmtime::Error::msg("total size of fields exceeds limit"),
                format!("its header fields exceeded the limit of {} KiB per fields resource", MAX_FIELDS_BYTES >> 10),
            ),
            (
                wasmtime::Error::msg("resource table has no free keys"),
                format!("it held more than {MAX_RESOURCES} host resources (requests, streams, ...) at once"),
            ),
            // Anything else: the first line of its root cause.
            (wasmtime::Error::msg("first line\nsecond line").context("outer"), "first line".into()),
        ];
        for (error, expected) in cases {
            assert_eq!(describe_trap(&error, &limits), expected, "{error:#}");
        }
    }

    #[test]
    fn a_component_is_told_from_a_core_module_and_from_junk() {
        assert!(looks_like_component(b"\0asm\x0d\0\x01\0rest"));
        assert!(!looks_like_component(b"\0asm\x01\0\0\0"), "a core module");
        assert!(!looks_like_component(b"\0asm\x0d\0"), "too short");
        assert!(!looks_like_component(b"\x7fELF\x02\x01\x01\0"));
        assert!(!looks_like_component(b""));
    }

    #[test]
    fn the_timeout_override_sets_both_limits_within_its_range() {
        let default = CallLimits::default();
        let with = |value: Option<&str>| {
            let limits = CallLimits::default().with_timeout_override(value.map(OsStr::new));
            (limits.cpu, limits.wall)
        };
        assert_eq!(with(None), (default.cpu, default.wall));
        assert_eq!(with(Some("250")), (Duration::from_millis(250), Duration::from_millis(250)));
        assert_eq!(with(Some(" 1 ")), (Duration::from_millis(1), Duration::from_millis(1)));
        assert_eq!(with(Some("3600000")), (Duration::from_secs(3600), Duration::from_secs(3600)));
        for ignored in ["0", "3600001", "-5", "soon", ""] {
            assert_eq!(with(Some(ignored)), (default.cpu, default.wall), "{ignored:?}");
        }
    }

    #[test]
    fn results_past_a_limit_are_refused_before_parsing() {
        assert_eq!(check_result_size(r#"{"a":[1,2,3],"b":"[[[,,,"}"#), Ok(()));
        let deep = "[".repeat(MAX_RESULT_DEPTH + 1);
        assert!(check_result_size(&deep).unwrap_err().contains("nests deeper"));
        assert_eq!(check_result_size(&"[".repeat(MAX_RESULT_DEPTH)), Ok(()));
    }
}
