//! Shared documents as files: `<dir>/<name>.json`, read and rewritten under an
//! exclusive OS advisory lock on the file itself (`File::lock`), so processes
//! of the user take turns; the directory is 0700 and the file 0600.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// The documents this process has open. A warm tool call edits its ledger
/// twice (admit, settle): keeping the file open spares the directory checks
/// and the open on every request, leaving a lock, a read and a write.
fn open_documents() -> &'static Mutex<HashMap<PathBuf, Arc<Mutex<File>>>> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<File>>>>> = OnceLock::new();
    OPEN.get_or_init(Mutex::default)
}

pub fn update(dir: &Path, name: &str, edit: &mut dyn FnMut(&str, u64) -> (String, Duration)) -> Result<(), String> {
    let path = dir.join(format!("{name}.json"));
    let mut reopen = false;
    loop {
        let shared = open_document(dir, &path, reopen)?;
        let mut file = shared.lock().unwrap_or_else(PoisonError::into_inner);
        // Held for a read and a write: microseconds.
        file.lock().map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        if !reopen && !still_at(&file, &path) {
            // Removed or replaced since this process opened it (a cleared
            // cache): the other processes use the file at the path now.
            let _ = file.unlock();
            reopen = true;
            continue;
        }
        let result = edit_locked(&mut file, &path, edit);
        let _ = file.unlock();
        return result;
    }
}

/// The open file of `path`, opened (and its directory made private) on first use or when `reopen`.
fn open_document(dir: &Path, path: &Path, reopen: bool) -> Result<Arc<Mutex<File>>, String> {
    let mut open = open_documents().lock().unwrap_or_else(PoisonError::into_inner);
    if !reopen && let Some(file) = open.get(path) {
        return Ok(file.clone());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("cannot make {} private: {e}", dir.display()))?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let file = Arc::new(Mutex::new(file));
    open.insert(path.to_path_buf(), file.clone());
    Ok(file)
}

/// Whether the open `file` is still the one at `path`.
fn still_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

fn edit_locked(
    file: &mut File,
    path: &Path,
    edit: &mut dyn FnMut(&str, u64) -> (String, Duration),
) -> Result<(), String> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    file.read_to_string(&mut text).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (new_text, _keep) = edit(&text, now_ms());
    let written = (|| -> std::io::Result<()> {
        file.seek(SeekFrom::Start(0))?;
        file.set_len(0)?;
        file.write_all(new_text.as_bytes())
    })();
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The clock of a file-backed ledger: this machine's, in Unix milliseconds.
fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// For a process without a cache directory.
pub fn update_in_memory(key: &str, edit: &mut dyn FnMut(&str, u64) -> (String, Duration)) -> Result<(), String> {
    static DOCUMENTS: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let mut documents = DOCUMENTS.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    let text = documents.get(key).cloned().unwrap_or_default();
    let (new_text, _keep) = edit(&text, now_ms());
    documents.insert(key.to_string(), new_text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(dir: &Path, word: &str) {
        update(dir, "doc", &mut |text, _| (format!("{text}{word}"), Duration::ZERO)).unwrap();
    }

    #[test]
    fn a_removed_document_is_started_again_at_its_path() {
        let dir = std::env::temp_dir().join(format!("kosmo-files-test-{}", std::process::id()));
        append(&dir, "a");
        append(&dir, "b");
        assert_eq!(std::fs::read_to_string(dir.join("doc.json")).unwrap(), "ab");
        // A cleared cache: the open file is gone from the path, which the other processes use.
        std::fs::remove_dir_all(&dir).unwrap();
        append(&dir, "c");
        assert_eq!(std::fs::read_to_string(dir.join("doc.json")).unwrap(), "c");
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
