//! The set of plugins a process serves, and hot swap.
//!
//! The registry maps each plugin file of the directory to the last version of
//! it that loaded and validated, and publishes the resulting catalog as one
//! `Arc` that is replaced whole. A call takes the `Arc<Plugin>` it needs and
//! keeps it to the end, so calls in flight finish on the version they started
//! on; the next calls see the new catalog. The Engine and Linker stay the same
//! across swaps.
//!
//! [`Registry::poll`] is one step of the watcher: it lists the directory
//! (size, times in nanoseconds and inode of each `*.wasm`), waits until a
//! changed file is complete (renamed into place or closed after writing, as
//! filesystem notifications tell), or else has not been written for 50 ms or
//! looked the same for 50 ms (a writer may still be writing it), then reads
//! it, compiles it on a blocking thread (or takes it from the compile cache),
//! smoke-tests it (manifest, tools, WIT api version, caps, the config's
//! sha256 pin, unique id) and swaps it in. A file that fails any of that is
//! logged and the version it replaces keeps serving; a removed file
//! unregisters its id. [`Registry::watch`] runs a step when a notification
//! wakes it, and at every polling interval.
//!
//! The plugin built into kosmo (`builtin.rs`) serves its id whenever no file
//! does: it is loaded the first time it is needed, and a file that claims
//! its id overrides it (and, removed, hands the id back).

mod dir_events;
mod listing;

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::builtin;
use crate::cache::{self, hex};
use crate::log;
use crate::runtime::{Plugin, Runtime};
use dir_events::DirEvents;
use listing::Fingerprint;

/// How long a changed file must have gone unwritten (or looked the same)
/// before a watcher step reads it, unless a notification said it is complete.
const QUIET: Duration = Duration::from_millis(50);

/// The plugins served at one moment, by id.
#[derive(Default)]
pub struct Catalog {
    plugins: Vec<Arc<Plugin>>,
}

impl Catalog {
    pub fn plugins(&self) -> &[Arc<Plugin>] {
        &self.plugins
    }

    /// The plugin serving `id`, if one does.
    pub fn plugin(&self, id: &str) -> Option<&Arc<Plugin>> {
        self.plugins.iter().find(|p| p.id() == id)
    }
}

/// What the registry knows of one file.
struct FileState {
    /// The fingerprint seen by the latest step.
    observed: Fingerprint,
    /// When a step first saw `observed`.
    observed_since: Instant,
    /// The fingerprint whose bytes were last loaded (or refused).
    attempted: Option<Fingerprint>,
    /// The last version of this file that loaded, if it is served.
    serving: Option<Arc<Plugin>>,
    /// Refused because another file serves this id: tried again once the id is free.
    refused_for_id: Option<String>,
}

#[derive(Clone, Copy)]
enum Phase<'a> {
    /// Loading the directory as it is: one-shot commands and server start.
    Scan,
    /// A running server watching for changes, with the files that
    /// notifications said are complete.
    Watch(&'a HashSet<OsString>),
}

impl Phase<'_> {
    fn watching(&self) -> bool {
        matches!(self, Phase::Watch(_))
    }
}

pub struct Registry {
    dir: PathBuf,
    /// Integration id → the sha256 (lowercase hex) its plugin file must have.
    pins: BTreeMap<String, String>,
    current: RwLock<Arc<Catalog>>,
    files: tokio::sync::Mutex<BTreeMap<PathBuf, FileState>>,
    /// The directory could not be listed at the last step (reported once).
    unreadable: std::sync::atomic::AtomicBool,
    /// The built-in plugin, once it was needed (`None`: it did not load, or the pin refused it).
    builtin: tokio::sync::OnceCell<Option<Arc<Plugin>>>,
}

impl Registry {
    /// `pins` maps integration ids to the plugin digest the config requires.
    pub fn new(dir: PathBuf, pins: BTreeMap<String, String>) -> Registry {
        Registry {
            dir,
            pins,
            current: RwLock::new(Arc::new(Catalog::default())),
            files: tokio::sync::Mutex::new(BTreeMap::new()),
            unreadable: std::sync::atomic::AtomicBool::new(false),
            builtin: tokio::sync::OnceCell::new(),
        }
    }

    /// The built-in plugin, loaded (or taken from the compile cache) on first use.
    async fn builtin(&self, runtime: &Runtime) -> Option<Arc<Plugin>> {
        let load = async || {
            let path = Path::new(builtin::LABEL);
            let mut plugin = match runtime.load_bytes(path, builtin::COMPONENT.to_vec()).await {
                Ok(plugin) => plugin,
                Err(e) => {
                    log::warn(format!("the built-in plugin does not load: {e:#}"));
                    return None;
                }
            };
            plugin.builtin = true;
            if let Err(refusal) = self.check_pin(&plugin) {
                log::warn(format!("not serving the built-in plugin: {}", refusal.reason()));
                return None;
            }
            Some(Arc::new(plugin))
        };
        self.builtin.get_or_init(load).await.clone()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalog now; it does not change under the caller.
    pub fn snapshot(&self) -> Arc<Catalog> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Loads the directory as it is now; bad files are skipped with a warning.
    pub async fn scan(&self, runtime: &Runtime) -> bool {
        self.step(runtime, Phase::Scan).await
    }

    /// One watcher step; true when the catalog changed. `complete` names the
    /// files that notifications said are whole (renamed into place, or closed
    /// after writing): they are read without waiting for the quiet period.
    pub async fn poll(&self, runtime: &Runtime, complete: &HashSet<OsString>) -> bool {
        self.step(runtime, Phase::Watch(complete)).await
    }

    async fn step(&self, runtime: &Runtime, phase: Phase<'_>) -> bool {
        let listing = match listing::candidates(&self.dir) {
            Ok(listing) => {
                if self.unreadable.swap(false, std::sync::atomic::Ordering::Relaxed) {
                    log::info(format!("the plugin directory {} can be read again", self.dir.display()));
                }
                listing
            }
            Err(e) => {
                // A directory that cannot be listed changes nothing: what is
                // served keeps serving. At start nothing is, but the built-in plugin.
                let missing = e.kind() == std::io::ErrorKind::NotFound;
                if !self.unreadable.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    let message = format!("cannot read the plugin directory {}: {e}", self.dir.display());
                    // No directory at all is the usual case of an installed kosmo.
                    if missing { log::debug(message) } else { log::warn(message) }
                }
                if phase.watching() {
                    return false;
                }
                Vec::new()
            }
        };
        let mut files = self.files.lock().await;
        let mut changed = false;

        // Removed files unregister their ids.
        files.retain(|path, state| {
            if listing.iter().any(|(p, _)| p == path) {
                return true;
            }
            if let Some(plugin) = &state.serving {
                log::info(format!("hot swap: {} was removed; '{}' is no longer served", path.display(), plugin.id()));
                changed = true;
            }
            false
        });

        let mut due = Vec::new();
        for (path, fingerprint) in listing {
            let state = files.entry(path.clone()).or_insert_with(|| FileState {
                observed: fingerprint,
                observed_since: Instant::now(),
                attempted: None,
                serving: None,
                refused_for_id: None,
            });
            if state.observed != fingerprint {
                state.observed = fingerprint;
                state.observed_since = Instant::now();
            }
            if state.attempted == Some(fingerprint) {
                continue;
            }
            // While watching, a file is read once it is complete (as a
            // notification said) or stopped changing (not written, or the
            // same, for a moment): a writer may still be writing it.
            let why = match phase {
                Phase::Scan => "",
                Phase::Watch(complete) if path.file_name().is_some_and(|name| complete.contains(name)) => {
                    "notified complete"
                }
                Phase::Watch(_) if fingerprint.unchanged_for(QUIET) => "not written for 50 ms",
                Phase::Watch(_) if state.observed_since.elapsed() >= QUIET => "unchanged for 50 ms",
                Phase::Watch(_) => continue,
            };
            if phase.watching() {
                log::debug(format!("hot swap: reading {} ({why})", path.display()));
            }
            due.push((path, fingerprint));
        }

        for (path, fingerprint) in due {
            let previous = files.get(&path).and_then(|s| s.serving.clone());
            let started = Instant::now();
            let expected = phase.watching().then_some(fingerprint);
            let outcome = load_file(runtime, &path, expected, previous.as_ref()).await;
            if matches!(outcome, Ok(Loaded::Moving)) {
                log::debug(format!("{} changed while it was read; reading it again later", path.display()));
                continue;
            }
            if let Some(state) = files.get_mut(&path) {
                state.attempted = Some(fingerprint);
                state.refused_for_id = None;
            }
            let outcome = outcome.and_then(|loaded| match loaded {
                Loaded::Unchanged | Loaded::Moving => Ok(None),
                Loaded::New(plugin) => {
                    self.check_pin(&plugin)?;
                    let provider = files.iter().find_map(|(other, s)| {
                        s.serving.as_ref().filter(|p| **other != path && p.id() == plugin.id()).map(|p| (other, p))
                    });
                    match provider {
                        Some((other, serving)) => Err(duplicate(&plugin, other, serving)),
                        None => Ok(Some(plugin)),
                    }
                }
            });
            let Some(state) = files.get_mut(&path) else { continue };
            match outcome {
                Ok(None) => log::debug(format!("{}: same contents as the version served", path.display())),
                Ok(Some(plugin)) => {
                    let plugin: Arc<Plugin> = Arc::from(plugin);
                    match (phase, &state.serving) {
                        (Phase::Watch(_), Some(old)) => log::info(format!(
                            "hot swap: {} now serves '{}' {} (sha256 {}, was {} {}) after {}",
                            path.display(),
                            plugin.id(),
                            plugin.manifest.version,
                            short(&plugin.sha256),
                            old.manifest.version,
                            short(&old.sha256),
                            log::ms(started.elapsed())
                        )),
                        (Phase::Watch(_), None) => log::info(format!(
                            "hot swap: {} now serves '{}' {} (sha256 {}) after {}",
                            path.display(),
                            plugin.id(),
                            plugin.manifest.version,
                            short(&plugin.sha256),
                            log::ms(started.elapsed())
                        )),
                        (Phase::Scan, _) => log::debug(format!(
                            "loaded '{}' {} from {} in {}",
                            plugin.id(),
                            plugin.manifest.version,
                            path.display(),
                            log::ms(started.elapsed())
                        )),
                    }
                    state.serving = Some(plugin);
                    changed = true;
                }
                Err(refusal) => {
                    if let Refusal::Duplicate { id, .. } = &refusal {
                        state.refused_for_id = Some(id.clone());
                    }
                    let reason = refusal.reason();
                    match (phase, &state.serving) {
                        (Phase::Scan, _) => log::warn(format!("skipping {}: {reason}", path.display())),
                        (Phase::Watch(_), Some(old)) => log::warn(format!(
                            "hot swap: rejected {}: {reason}; '{}' {} from the previous version of the file keeps serving",
                            path.display(),
                            old.id(),
                            old.manifest.version
                        )),
                        (Phase::Watch(_), None) => {
                            log::warn(format!("hot swap: rejected {}: {reason}", path.display()))
                        }
                    }
                }
            }
        }

        // The built-in plugin serves its id when no file does.
        let file_serves_builtin_id = files.values().any(|s| s.serving.as_ref().is_some_and(|p| p.id() == builtin::ID));
        let builtin = if file_serves_builtin_id { None } else { self.builtin(runtime).await };
        let builtin_served = self.snapshot().plugins().iter().any(|p| p.builtin);
        if builtin.is_some() != builtin_served {
            changed = true;
            if phase.watching() {
                log::info(match &builtin {
                    Some(plugin) => {
                        format!("hot swap: the built-in '{}' {} serves again", plugin.id(), plugin.manifest.version)
                    }
                    None => {
                        format!("hot swap: a file in {} overrides the built-in '{}'", self.dir.display(), builtin::ID)
                    }
                });
            }
        }

        if changed {
            // A file refused for a duplicate id gets another chance once that id is free.
            let served: Vec<String> =
                files.values().filter_map(|s| s.serving.as_ref().map(|p| p.id().to_string())).collect();
            for state in files.values_mut() {
                if state.refused_for_id.as_ref().is_some_and(|id| !served.contains(id)) {
                    state.attempted = None;
                }
            }
            let mut plugins: Vec<Arc<Plugin>> = files.values().filter_map(|s| s.serving.clone()).collect();
            plugins.extend(builtin);
            plugins.sort_by(|a, b| a.id().cmp(b.id()));
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(Catalog { plugins });
        }
        changed
    }

    /// A pinned integration is served only by a file with the pinned digest.
    fn check_pin(&self, plugin: &Plugin) -> Result<(), Refusal> {
        let Some(pin) = self.pins.get(plugin.id()) else { return Ok(()) };
        let actual = hex(&plugin.sha256);
        if *pin == actual {
            return Ok(());
        }
        Err(Refusal::Invalid(format!(
            "its id '{}' is pinned to sha256 {pin} by the config ([integrations.{}] sha256), but this file's sha256 is {actual}",
            plugin.id(),
            plugin.id()
        )))
    }

    /// Watches the directory until the task is aborted, calling `on_change`
    /// after each change of the catalog: a step runs when a filesystem
    /// notification wakes it (unless `notifications` is false or they cannot
    /// be set up) and every `interval` regardless, for the file systems where
    /// notifications are silent.
    pub fn watch(
        self: Arc<Self>,
        runtime: Arc<Runtime>,
        interval: Duration,
        notifications: bool,
        on_change: impl Fn() + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            // Owned by the task: aborting it drops the notifier and stops its thread.
            let events = if notifications {
                match DirEvents::watch(&self.dir) {
                    Ok(events) => Some(events),
                    Err(e) => {
                        log::info(format!(
                            "no filesystem notifications for {} ({e}); polling it every {} ms",
                            self.dir.display(),
                            interval.as_millis()
                        ));
                        None
                    }
                }
            } else {
                None
            };
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let notified = async {
                    match &events {
                        Some(events) => events.changed().await,
                        None => std::future::pending().await,
                    }
                };
                let woken_by = tokio::select! {
                    _ = ticker.tick() => "polling",
                    () = notified => "a notification",
                };
                let complete = events.as_ref().map(DirEvents::take_complete).unwrap_or_default();
                let started = Instant::now();
                if self.poll(&runtime, &complete).await {
                    log::debug(format!("hot swap: step woken by {woken_by} took {}", log::ms(started.elapsed())));
                    on_change();
                }
            }
        })
    }
}

enum Loaded {
    /// The bytes are those of the version already served.
    Unchanged,
    /// The file changed while it was read: a writer is at work.
    Moving,
    New(Box<Plugin>),
}

enum Refusal {
    Invalid(String),
    Duplicate { id: String, reason: String },
}

impl Refusal {
    fn reason(&self) -> &str {
        match self {
            Refusal::Invalid(reason) | Refusal::Duplicate { reason, .. } => reason,
        }
    }
}

/// Reads and loads one file. With `expected`, bytes read while the file no
/// longer matched that listing are not judged: it is being written.
async fn load_file(
    runtime: &Runtime,
    path: &Path,
    expected: Option<Fingerprint>,
    previous: Option<&Arc<Plugin>>,
) -> Result<Loaded, Refusal> {
    let bytes = std::fs::read(path).map_err(|e| Refusal::Invalid(format!("cannot read it: {e}")))?;
    if expected.is_some_and(|expected| listing::fingerprint(path).ok() != Some(expected)) {
        return Ok(Loaded::Moving);
    }
    if previous.is_some_and(|p| p.sha256 == cache::sha256(&bytes)) {
        return Ok(Loaded::Unchanged);
    }
    runtime
        .load_bytes(path, bytes)
        .await
        .map(|plugin| Loaded::New(Box::new(plugin)))
        .map_err(|e| Refusal::Invalid(format!("{e:#}")))
}

/// Two files claim one id and no pin decides: the first by name serves.
fn duplicate(plugin: &Plugin, other: &Path, serving: &Plugin) -> Refusal {
    let id = plugin.id();
    Refusal::Duplicate {
        id: id.to_string(),
        reason: format!(
            "its id '{id}' is already provided by {} (sha256 {}), which serves it; this file's sha256 is {}. \
             Files are taken in name order: to choose the file that serves '{id}', pin its digest with \
             sha256 = \"...\" under [integrations.{id}] in the config",
            other.display(),
            hex(&serving.sha256),
            hex(&plugin.sha256)
        ),
    }
}

fn short(sha256: &cache::Sha256Digest) -> String {
    hex(&sha256[..6])
}
