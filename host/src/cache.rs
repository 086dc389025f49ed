//! The compile cache (design §4.9): precompiled plugin code in a directory the
//! host owns, so a one-shot run does not recompile a plugin it has seen.
//!
//! An entry is keyed by the sha256 of the plugin's bytes, the engine's
//! compatibility hash (wasmtime version and configuration) and kosmo's
//! version. It is written to a temporary file and renamed into place, and it
//! records the sha256 of its own payload, checked before the payload reaches
//! the `unsafe` [`Component::deserialize`]: a truncated, rewritten or
//! otherwise changed entry is detected, reported and rebuilt. A plugin file is
//! never deserialized: it is always compiled from its wasm bytes.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Result, anyhow};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::log;

/// First bytes of every entry; the number changes with the entry format.
const MAGIC: &[u8; 8] = b"KOSMOCC1";
const HEADER_LEN: usize = MAGIC.len() + 32;
const EXTENSION: &str = "cwasm";
/// Entries kept; the least recently used beyond this are removed.
const MAX_ENTRIES: usize = 64;

pub type Sha256Digest = [u8; 32];

pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    Sha256::digest(bytes).into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where compiled plugins are kept.
#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    pub fn new(dir: PathBuf) -> CompileCache {
        CompileCache { dir }
    }

    /// `KOSMO_CACHE_DIR` (`off` disables the cache), else
    /// `<user cache dir>/kosmo/compiled` (`~/.cache/kosmo/compiled` on Linux).
    pub fn from_env() -> Option<CompileCache> {
        match std::env::var_os("KOSMO_CACHE_DIR") {
            Some(value) if value == "off" || value.is_empty() => None,
            Some(dir) => Some(CompileCache::new(PathBuf::from(dir))),
            None => dirs::cache_dir().map(|dir| CompileCache::new(dir.join("kosmo").join("compiled"))),
        }
    }

    /// The entry for these plugin bytes on this engine.
    pub fn entry_path(&self, engine: &Engine, wasm_sha256: &Sha256Digest) -> PathBuf {
        let mut key = DigestHasher(Sha256::new());
        key.write(MAGIC);
        key.write(env!("CARGO_PKG_VERSION").as_bytes());
        engine.precompile_compatibility_hash().hash(&mut key);
        key.write(wasm_sha256);
        let key: Sha256Digest = key.0.finalize().into();
        self.dir.join(format!("{}.{EXTENSION}", hex(&key)))
    }

    /// The compiled component for `wasm`, from the cache when a sound entry
    /// exists, else compiled and stored. Cache trouble never fails a load: the
    /// plugin is compiled instead, and the trouble is reported.
    pub fn get_or_compile(
        &self,
        engine: &Engine,
        label: &str,
        wasm: &[u8],
        wasm_sha256: &Sha256Digest,
    ) -> Result<Component> {
        let path = self.entry_path(engine, wasm_sha256);
        let started = Instant::now();
        match read_entry(engine, &path) {
            Ok(Some(component)) => {
                touch(&path);
                log::debug(format!(
                    "loaded {label} from the compile cache in {} ({})",
                    log::ms(started.elapsed()),
                    path.display()
                ));
                return Ok(component);
            }
            Ok(None) => {}
            Err(reason) => log::warn(format!(
                "the compile cache entry {} for {label} is unusable ({reason}); recompiling it",
                path.display()
            )),
        }

        let started = Instant::now();
        let component = compile(engine, wasm)?;
        let compiled_in = started.elapsed();
        let stored = match component.serialize().map_err(|e| anyhow!("{e}")).and_then(|bytes| self.store(&path, &bytes))
        {
            Ok(()) => true,
            Err(e) => {
                log::debug(format!("could not store {label} in the compile cache {}: {e:#}", self.dir.display()));
                false
            }
        };
        log::debug(format!(
            "compiled {label} in {}{}",
            log::ms(compiled_in),
            if stored { format!(" (cached as {})", path.display()) } else { String::new() }
        ));
        Ok(component)
    }

    /// Writes an entry atomically: a private temporary file, renamed into place.
    fn store(&self, path: &Path, serialized: &[u8]) -> Result<()> {
        create_private_dir(&self.dir)?;
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let temp = self.dir.join(format!(".{file_name}.{}.{nanos}.tmp", std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut file = private_file(&temp)?;
            file.write_all(MAGIC)?;
            file.write_all(&sha256(serialized))?;
            file.write_all(serialized)?;
            file.sync_all()?;
            fs::rename(&temp, path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(anyhow!("writing {}: {e}", path.display()));
        }
        self.prune();
        Ok(())
    }

    /// Keeps the newest [`MAX_ENTRIES`] entries (hits refresh an entry's time).
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        let mut found: Vec<(SystemTime, PathBuf)> = entries
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == EXTENSION))
            .filter_map(|path| Some((fs::metadata(&path).ok()?.modified().ok()?, path)))
            .collect();
        if found.len() <= MAX_ENTRIES {
            return;
        }
        found.sort();
        for (_, path) in &found[..found.len() - MAX_ENTRIES] {
            let _ = fs::remove_file(path);
        }
    }
}

/// Compiles wasm bytes (validation included) on this engine.
pub fn compile(engine: &Engine, wasm: &[u8]) -> Result<Component> {
    Component::new(engine, wasm).map_err(|e| anyhow!("{e}"))
}

/// `Ok(None)`: no entry. `Err`: an entry that must not be used, and why.
fn read_entry(engine: &Engine, path: &Path) -> std::result::Result<Option<Component>, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return Err("it is not a kosmo cache entry".into());
    }
    let (recorded, payload) = bytes[MAGIC.len()..].split_at(32);
    if sha256(payload) != recorded {
        return Err("its contents do not match the checksum recorded in it".into());
    }
    // SAFETY: the payload is what `Component::serialize` wrote into the
    // host-owned cache directory (checked above against the digest written
    // with it), for this engine's compatibility hash; plugin files never come
    // here. wasmtime still refuses bytes of another version or configuration.
    match unsafe { Component::deserialize(engine, payload) } {
        Ok(component) => Ok(Some(component)),
        Err(e) => Err(format!("wasmtime refused it: {e}")),
    }
}

/// Marks an entry as recently used, for pruning.
fn touch(path: &Path) {
    if let Ok(file) = fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Feeds `Hash` implementations (the engine's compatibility hash) into sha256,
/// so the key is stable across processes.
struct DigestHasher(Sha256);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("a sha256 digest has 8 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
    }

    #[test]
    fn keys_depend_on_the_plugin_bytes() {
        let engine = Engine::default();
        let cache = CompileCache::new(PathBuf::from("/nonexistent"));
        let a = cache.entry_path(&engine, &sha256(b"a"));
        let b = cache.entry_path(&engine, &sha256(b"b"));
        assert_ne!(a, b);
        assert_eq!(a, cache.entry_path(&engine, &sha256(b"a")));
    }

    #[test]
    fn a_damaged_entry_is_refused_before_deserializing() {
        let dir = std::env::temp_dir().join(format!("kosmo-cache-test-{}", std::process::id()));
        let engine = Engine::default();
        let path = dir.join("x.cwasm");
        fs::create_dir_all(&dir).unwrap();
        fs::write(&path, b"not an entry").unwrap();
        assert!(read_entry(&engine, &path).unwrap_err().contains("not a kosmo cache entry"));
        let mut entry = MAGIC.to_vec();
        entry.extend_from_slice(&sha256(b"payload"));
        entry.extend_from_slice(b"payloaX");
        fs::write(&path, &entry).unwrap();
        assert!(read_entry(&engine, &path).unwrap_err().contains("checksum"));
        assert!(read_entry(&engine, &dir.join("missing.cwasm")).unwrap().is_none());
        let _ = fs::remove_dir_all(&dir);
    }
}
