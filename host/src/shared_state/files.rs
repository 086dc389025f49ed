//! Shared documents as files: `<dir>/<name>.json`, read and rewritten under an
//! exclusive OS advisory lock on the file itself (`File::lock`), so processes
//! of the user take turns; the directory is 0700 and the file 0600.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

pub fn update(dir: &Path, name: &str, edit: &mut dyn FnMut(&str, u64) -> (String, Duration)) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("cannot make {} private: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.json"));
    let mut file: File = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    // Held for a read and a write: microseconds. Closing the file releases it.
    file.lock().map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    let mut text = String::new();
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
