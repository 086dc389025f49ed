//! The plugin directory as the registry lists it: which entries are plugin
//! files, and a fingerprint of each that any rewrite or rename changes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A plugin file as the directory listing shows it. Any rewrite or rename
/// changes it (size, modification and change times in nanoseconds, inode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    changed: (i64, i64),
    file: (u64, u64),
}

impl Fingerprint {
    fn of(metadata: &std::fs::Metadata) -> Fingerprint {
        #[cfg(unix)]
        let (changed, file) = {
            use std::os::unix::fs::MetadataExt;
            ((metadata.ctime(), metadata.ctime_nsec()), (metadata.dev(), metadata.ino()))
        };
        #[cfg(not(unix))]
        let (changed, file) = ((0, 0), (0, 0));
        Fingerprint { len: metadata.len(), modified: metadata.modified().ok(), changed, file }
    }

    /// Whether the contents were last written at least `quiet` ago.
    pub fn unchanged_for(&self, quiet: std::time::Duration) -> bool {
        self.modified.and_then(|m| m.elapsed().ok()).is_some_and(|age| age >= quiet)
    }
}

/// The fingerprint of one file now (following links).
pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    std::fs::metadata(path).map(|metadata| Fingerprint::of(&metadata))
}

/// Whether a directory entry is named like a plugin file: `*.wasm`, not
/// hidden (a writer's temporary copy, say).
pub fn is_plugin_name(path: &Path) -> bool {
    let visible = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with('.'));
    visible && path.extension().is_some_and(|ext| ext == "wasm")
}

/// The plugin files of `dir`, sorted by path: `*.wasm` regular files (or links
/// to them), hidden files (a writer's temporary copy, say) left out.
pub fn candidates(dir: &Path) -> std::io::Result<Vec<(PathBuf, Fingerprint)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if !is_plugin_name(&path) {
            continue;
        }
        // Follows links; a file removed meanwhile is simply not listed.
        if let Ok(metadata) = std::fs::metadata(&path)
            && metadata.is_file()
        {
            found.push((path, Fingerprint::of(&metadata)));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}
