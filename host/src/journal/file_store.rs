//! The journal on disk, as the token cache is kept: one JSON file per
//! account (`<dir>/<account>.json`, 0600, in a 0700 directory), replaced
//! atomically, every read-modify-write under an OS lock on `<account>.lock`
//! (`File::lock`, released when its process dies).

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::store::{Entry, JournalStore};

pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(dir: PathBuf) -> FileStore {
        FileStore { dir }
    }

    fn paths(&self, account: &str) -> (PathBuf, PathBuf) {
        let name: String = account
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c.to_string()
                } else {
                    format!("_{:02x}", c as u32)
                }
            })
            .collect();
        (self.dir.join(format!("{name}.json")), self.dir.join(format!("{name}.lock")))
    }
}

impl JournalStore for FileStore {
    fn update(&self, account: &str, change: &mut dyn FnMut(&mut Vec<Entry>)) -> Result<(), String> {
        let (file, lock) = self.paths(account);
        let trouble =
            |what: &str, path: &Path, e: std::io::Error| format!("the write journal: {what} {}: {e}", path.display());
        fs::create_dir_all(&self.dir).map_err(|e| trouble("cannot create", &self.dir, e))?;
        fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| trouble("cannot protect", &self.dir, e))?;
        let guard = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock)
            .map_err(|e| trouble("cannot open", &lock, e))?;
        // Held briefly by each process (a read and a write), so waiting is short.
        guard.lock().map_err(|e| trouble("cannot lock", &lock, e))?;
        let mut entries: Vec<Entry> = match fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                crate::log::warn(format!(
                    "the write journal {} is unreadable ({e}); starting it afresh",
                    file.display()
                ));
                Vec::new()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(trouble("cannot read", &file, e)),
        };
        let before = entries.clone();
        change(&mut entries);
        if entries != before {
            write_atomically(&file, &serde_json::to_vec(&entries).unwrap_or_default())
                .map_err(|e| trouble("cannot write", &file, e))?;
        }
        drop::<File>(guard);
        Ok(())
    }
}

/// A private temporary file renamed into place.
fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = file.with_extension(format!("{}.tmp", std::process::id()));
    let _ = fs::remove_file(&temporary);
    let written = (|| {
        let mut out = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temporary)?;
        out.write_all(bytes)?;
        out.sync_all()?;
        fs::rename(&temporary, file)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}
