//! Filesystem notifications for the plugin directory (inotify on Linux, via
//! the `notify` crate). They only wake the registry's watcher, which then
//! lists the directory itself: polling stays as the fallback where
//! notifications are silent (network mounts, some bind mounts, a directory
//! replaced under its path) or cannot be set up.
//!
//! A plugin file renamed into place, or closed after writing, is complete,
//! and the watcher may load it at once; any other write leaves it to the
//! quiet rule of polling (a writer may still be at work).

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::Path;
use std::sync::{Arc, Mutex};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{Event, RecursiveMode, Watcher};

use super::listing;

/// Notifications for one directory, until dropped (which stops notify's thread).
pub struct DirEvents {
    _watcher: notify::RecommendedWatcher,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// Wakes the watcher; a burst of events leaves one permit, so one step.
    wake: tokio::sync::Notify,
    /// Files whose latest event said they are complete, by file name.
    complete: Mutex<HashSet<OsString>>,
}

impl DirEvents {
    pub fn watch(dir: &Path) -> notify::Result<DirEvents> {
        let shared = Arc::new(Shared::default());
        let handler = {
            let shared = shared.clone();
            move |event: notify::Result<Event>| shared.handle(event)
        };
        let mut watcher = notify::recommended_watcher(handler)?;
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
        Ok(DirEvents { _watcher: watcher, shared })
    }

    /// Waits until something happened to a plugin file since the last wake.
    pub async fn changed(&self) {
        self.shared.wake.notified().await;
    }

    /// The files known to be complete since the last call (their names).
    pub fn take_complete(&self) -> HashSet<OsString> {
        std::mem::take(&mut *self.shared.complete.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// What an event says about a plugin file.
enum Meaning {
    /// Renamed into place or closed after writing: its contents are whole.
    Complete,
    /// Created, written, truncated, renamed away or removed: it may be half written.
    Changing,
    /// Its permissions or times changed.
    Touched,
    /// Nothing that changes what it holds (opened, read).
    Nothing,
}

fn meaning(kind: &EventKind) -> Meaning {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Meaning::Complete,
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => Meaning::Complete,
        // Both names of a rename were announced on their own (From, To) already.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => Meaning::Nothing,
        EventKind::Modify(ModifyKind::Metadata(_)) => Meaning::Touched,
        EventKind::Access(_) => Meaning::Nothing,
        _ => Meaning::Changing,
    }
}

impl Shared {
    /// Runs on notify's thread, in event order.
    fn handle(&self, event: notify::Result<Event>) {
        let event = match event {
            Ok(event) => event,
            // A lost or failed notification: let the watcher look for itself.
            Err(_) => return self.wake.notify_one(),
        };
        if event.need_rescan() || event.paths.is_empty() {
            return self.wake.notify_one();
        }
        // The directory's own events (a watcher step listing it opens it) and
        // files that are not plugins wake nothing.
        let files: Vec<OsString> = event
            .paths
            .iter()
            .filter(|path| listing::is_plugin_name(path))
            .filter_map(|path| path.file_name().map(|name| name.to_os_string()))
            .collect();
        if files.is_empty() {
            return;
        }
        let wake = {
            let mut complete = self.complete.lock().unwrap_or_else(|e| e.into_inner());
            match meaning(&event.kind) {
                Meaning::Complete => {
                    complete.extend(files);
                    true
                }
                Meaning::Changing => {
                    for file in &files {
                        complete.remove(file);
                    }
                    true
                }
                Meaning::Touched => true,
                Meaning::Nothing => false,
            }
        };
        if wake {
            self.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Waits (bounded) for a wake; false when none came.
    async fn woken(events: &DirEvents) -> bool {
        tokio::time::timeout(Duration::from_secs(2), events.changed()).await.is_ok()
    }

    #[tokio::test]
    async fn a_rename_into_place_and_a_closed_write_are_complete_a_bare_create_is_not() {
        let dir = std::env::temp_dir().join(format!("kosmo-dir-events-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let events = DirEvents::watch(&dir).unwrap();

        std::fs::write(dir.join(".incoming"), b"new").unwrap();
        std::fs::rename(dir.join(".incoming"), dir.join("renamed.wasm")).unwrap();
        assert!(woken(&events).await);
        // Events may arrive in more than one wake; give the last a moment.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(events.take_complete().contains(&OsString::from("renamed.wasm")));

        std::fs::write(dir.join("written.wasm"), b"whole").unwrap();
        assert!(woken(&events).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(events.take_complete(), HashSet::from([OsString::from("written.wasm")]));

        // Open for writing, still open: not complete.
        let open = std::fs::File::create(dir.join("open.wasm")).unwrap();
        assert!(woken(&events).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(events.take_complete().is_empty());
        drop(open);

        // Files that are not plugins wake nothing.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = events.take_complete();
        while tokio::time::timeout(Duration::from_millis(20), events.changed()).await.is_ok() {}
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        std::fs::write(dir.join(".hidden.wasm"), b"x").unwrap();
        assert!(tokio::time::timeout(Duration::from_millis(200), events.changed()).await.is_err());

        std::fs::remove_dir_all(&dir).unwrap();
    }
}
