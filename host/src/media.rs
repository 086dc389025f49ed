//! The media convention between the host and a plugin, without a WIT change
//! (README, "Media and files"). A tool's input schema marks properties with
//! `"x-kosmo-host"`:
//!
//! * `"local_files"`: a list of paths the user names. The host reads each file
//!   (regular files inside the working directory, symlinks resolved and
//!   checked, [`MAX_ATTACHMENT_BYTES`] in all) and hands the plugin
//!   `{filename, contentType, contentBase64}` objects instead; the plugin never
//!   opens a file.
//! * `"save_to"` (with `"overwrite"`): the host takes both out of the
//!   arguments; the plugin answers `{contentType, size, contentBase64}`, and the
//!   host writes the bytes to that path (inside the working directory, not over
//!   an existing file unless `overwrite`, [`MAX_SAVED_BYTES`] at most, mode
//!   0644) and returns `{path, contentType, size}`.
//!
//! A plugin chooses only which argument is a path; the paths are the user's,
//! and confined to the working directory either way.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

pub const HOST_MARK: &str = "x-kosmo-host";
/// The files of one call, together: their base64 and the form around them
/// stay under the gate's 2 MiB request-body cap.
pub const MAX_ATTACHMENT_BYTES: u64 = 1536 << 10;
/// The largest file the host saves (the gate's response-body cap).
pub const MAX_SAVED_BYTES: usize = 16 << 20;

/// The arguments as the plugin gets them, and where the result goes.
#[derive(Debug)]
pub struct Prepared {
    pub arguments: Value,
    save: Option<SaveTo>,
}

#[derive(Debug)]
struct SaveTo {
    given: String,
    overwrite: bool,
}

/// Takes out what the host handles and reads the files named in `arguments`.
pub fn prepare(schema: &Value, arguments: &Value, cwd: &Path) -> Result<Prepared, String> {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(Prepared { arguments: arguments.clone(), save: None });
    };
    let marked: Vec<(&String, &str)> =
        properties.iter().filter_map(|(name, p)| Some((name, p.get(HOST_MARK)?.as_str()?))).collect();
    let Some(args) = arguments.as_object().filter(|_| !marked.is_empty()) else {
        return Ok(Prepared { arguments: arguments.clone(), save: None });
    };
    let mut args: Map<String, Value> = args.clone();
    let (mut save_to, mut overwrite) = (None, false);
    let mut budget = MAX_ATTACHMENT_BYTES;
    for (name, role) in marked {
        let Some(value) = args.get(name).filter(|v| !v.is_null()).cloned() else {
            args.remove(name);
            continue;
        };
        match role {
            "save_to" => {
                let path = value.as_str().ok_or_else(|| format!("'{name}' must be a file path (a string)"))?;
                confined(cwd, path).map_err(|why| format!("'{name}': {why}"))?;
                save_to = Some(path.to_string());
                args.remove(name);
            }
            "overwrite" => {
                overwrite = value.as_bool().ok_or_else(|| format!("'{name}' must be true or false"))?;
                args.remove(name);
            }
            "local_files" => {
                let paths: Vec<&str> = match &value {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(items) => items
                        .iter()
                        .map(|p| p.as_str().ok_or_else(|| format!("'{name}' must be a list of file paths (strings)")))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(format!("'{name}' must be a list of file paths (strings)")),
                };
                let files = paths
                    .into_iter()
                    .map(|path| read_file(cwd, path, &mut budget).map_err(|why| format!("'{name}': {path:?}: {why}")))
                    .collect::<Result<Vec<_>, _>>()?;
                args.insert(name.clone(), Value::Array(files));
            }
            _ => {}
        }
    }
    Ok(Prepared { arguments: Value::Object(args), save: save_to.map(|given| SaveTo { given, overwrite }) })
}

/// The result for the caller: saved to the file `prepare` found, if any.
pub fn finish(result: Value, prepared: &Prepared, cwd: &Path) -> Result<Value, String> {
    let Some(save) = &prepared.save else { return Ok(result) };
    let media = Media::from_result(&result)?;
    let path = confined(cwd, &save.given)?;
    write_new(cwd, &path, &media.bytes, save.overwrite)
        .map_err(|why| format!("could not save {:?}: {why}", save.given))?;
    Ok(json!({ "path": save.given, "contentType": media.content_type, "size": media.bytes.len() }))
}

/// Media a plugin returned: `{contentType, size, contentBase64}`, checked.
pub struct Media {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Media {
    pub fn from_result(result: &Value) -> Result<Media, String> {
        let wrong =
            |what: &str| format!("the plugin's media result {what} (expected {{contentType, size, contentBase64}})");
        let content_type = result["contentType"].as_str().ok_or_else(|| wrong("has no contentType"))?;
        let encoded = result["contentBase64"].as_str().ok_or_else(|| wrong("has no contentBase64"))?;
        if encoded.len() / 4 * 3 > MAX_SAVED_BYTES + 3 {
            return Err(format!("the media is larger than the {} MiB the host saves", MAX_SAVED_BYTES >> 20));
        }
        let bytes = STANDARD.decode(encoded).map_err(|e| wrong(&format!("is not base64 ({e})")))?;
        if result["size"].as_u64() != Some(bytes.len() as u64) {
            return Err(wrong(&format!("says size {} but holds {} bytes", result["size"], bytes.len())));
        }
        let valid_type = content_type.len() <= 255 && content_type.chars().all(|c| c.is_ascii_graphic() || c == ' ');
        let content_type = if valid_type { content_type } else { "application/octet-stream" };
        Ok(Media { content_type: content_type.to_string(), bytes })
    }
}

/// `given` under `cwd`: relative, without `..`, not the directory itself.
fn confined(cwd: &Path, given: &str) -> Result<PathBuf, String> {
    let path = Path::new(given);
    if given.is_empty() || path.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(format!(
            "{given:?} must be a relative path inside the working directory (no '..', no absolute path)"
        ));
    }
    if path.file_name().is_none() {
        return Err(format!("{given:?} names no file"));
    }
    Ok(cwd.join(path))
}

/// One named file, read if it is a regular file whose real path (symlinks
/// resolved) is inside the working directory and fits what is left of `budget`.
fn read_file(cwd: &Path, given: &str, budget: &mut u64) -> Result<Value, String> {
    let path = confined(cwd, given)?;
    let real = path.canonicalize().map_err(|e| format!("cannot open it: {e}"))?;
    let root = cwd.canonicalize().map_err(|e| format!("the working directory: {e}"))?;
    if !real.starts_with(&root) {
        return Err("it leads outside the working directory (through a symlink)".into());
    }
    let mut file = std::fs::File::open(&real).map_err(|e| format!("cannot open it: {e}"))?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    if metadata.len() > *budget {
        return Err(format!("the files of one call may hold {} KiB in all", MAX_ATTACHMENT_BYTES >> 10));
    }
    let mut bytes = Vec::new();
    Read::by_ref(&mut file).take(*budget + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > *budget {
        return Err(format!("the files of one call may hold {} KiB in all", MAX_ATTACHMENT_BYTES >> 10));
    }
    *budget -= bytes.len() as u64;
    let filename = real.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_string();
    Ok(json!({ "filename": filename, "contentType": content_type_of(&real), "contentBase64": STANDARD.encode(&bytes) }))
}

fn content_type_of(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "gif" => "image/gif",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "tif" | "tiff" => "image/tiff",
        "txt" => "text/plain",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// Writes `bytes` to `path` (mode 0644): a new file, or with `overwrite` over
/// a regular file, never through a symlink; the parent must be a real directory
/// inside the working directory's tree.
fn write_new(cwd: &Path, path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), String> {
    let parent = path.parent().ok_or("it has no directory")?;
    if let Ok(existing) = std::fs::symlink_metadata(path) {
        if !overwrite {
            return Err("the file exists (pass overwrite = true to replace it)".into());
        }
        if !existing.is_file() {
            return Err("it exists and is not a regular file".into());
        }
    }
    let parent_real = parent.canonicalize().map_err(|e| format!("its directory: {e}"))?;
    let root = cwd.canonicalize().map_err(|e| format!("the working directory: {e}"))?;
    if !parent_real.starts_with(&root) {
        return Err("its directory leads outside the working directory (through a symlink)".into());
    }
    let name = path.file_name().ok_or("it names no file")?;
    let partial = parent.join(format!(".{}.kosmo-partial", name.to_string_lossy()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
    let written = options.open(&partial).and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()));
    let placed = written.and_then(|()| {
        if overwrite {
            std::fs::rename(&partial, path)
        } else {
            // A hard link fails if the name exists by now: never over a file that appeared meanwhile.
            std::fs::hard_link(&partial, path).and_then(|()| std::fs::remove_file(&partial))
        }
    });
    placed.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({"properties": {
            "id": {"type": "string"},
            "save_to": {"type": "string", HOST_MARK: "save_to"},
            "overwrite": {"type": "boolean", HOST_MARK: "overwrite"},
            "files": {"type": "array", HOST_MARK: "local_files"},
        }})
    }

    fn media(bytes: &[u8]) -> Value {
        json!({"contentType": "audio/mpeg", "size": bytes.len(), "contentBase64": STANDARD.encode(bytes)})
    }

    #[test]
    fn files_are_read_into_objects_and_save_to_is_taken_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"%PDF").unwrap();
        let args = json!({"id": "1", "files": ["a.pdf"], "save_to": "out/v.mp3"});
        let prepared = prepare(&schema(), &args, dir.path()).unwrap();
        assert_eq!(
            prepared.arguments,
            json!({"id": "1", "files": [{"filename": "a.pdf", "contentType": "application/pdf", "contentBase64": "JVBERg=="}]})
        );
        assert!(prepared.save.is_some());
        // The directory must exist; then the file is written once, and not again without overwrite.
        assert!(finish(media(b"ID3"), &prepared, dir.path()).unwrap_err().contains("its directory"));
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let saved = finish(media(b"ID3"), &prepared, dir.path()).unwrap();
        assert_eq!(saved, json!({"path": "out/v.mp3", "contentType": "audio/mpeg", "size": 3}));
        assert_eq!(std::fs::read(dir.path().join("out/v.mp3")).unwrap(), b"ID3");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("out/v.mp3")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        assert!(finish(media(b"new"), &prepared, dir.path()).unwrap_err().contains("pass overwrite = true"));
        let again = prepare(&schema(), &json!({"save_to": "out/v.mp3", "overwrite": true}), dir.path()).unwrap();
        finish(media(b"new"), &again, dir.path()).unwrap();
        assert_eq!(std::fs::read(dir.path().join("out/v.mp3")).unwrap(), b"new");
        // Without save_to the result passes through.
        let plain = prepare(&schema(), &json!({"id": "1"}), dir.path()).unwrap();
        assert_eq!(finish(media(b"x"), &plain, dir.path()).unwrap(), media(b"x"));
    }

    #[test]
    fn paths_outside_the_working_directory_and_odd_files_are_refused() {
        let outer = tempfile::tempdir().unwrap();
        let dir = outer.path().join("work");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(outer.path().join("secret"), b"s").unwrap();
        for path in ["../secret", "/etc/passwd", "", "a/../../secret"] {
            let e = prepare(&schema(), &json!({"files": [path]}), &dir).unwrap_err();
            assert!(e.contains("relative path inside the working directory"), "{path}: {e}");
            let e = prepare(&schema(), &json!({"save_to": path}), &dir).unwrap_err();
            assert!(e.contains("relative path inside the working directory"), "{path}: {e}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outer.path().join("secret"), dir.join("link")).unwrap();
            let e = prepare(&schema(), &json!({"files": ["link"]}), &dir).unwrap_err();
            assert!(e.contains("outside the working directory"), "{e}");
            std::os::unix::fs::symlink(outer.path(), dir.join("up")).unwrap();
            let prepared = prepare(&schema(), &json!({"save_to": "up/x.mp3"}), &dir).unwrap();
            let e = finish(media(b"x"), &prepared, &dir).unwrap_err();
            assert!(e.contains("outside the working directory"), "{e}");
            assert!(!outer.path().join("x.mp3").exists());
            // Not over a symlink, even with overwrite.
            let prepared = prepare(&schema(), &json!({"save_to": "link", "overwrite": true}), &dir).unwrap();
            assert!(finish(media(b"x"), &prepared, &dir).unwrap_err().contains("not a regular file"));
            assert_eq!(std::fs::read(outer.path().join("secret")).unwrap(), b"s");
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        assert!(prepare(&schema(), &json!({"files": ["sub"]}), &dir).unwrap_err().contains("not a regular file"));
        assert!(prepare(&schema(), &json!({"files": ["none.pdf"]}), &dir).unwrap_err().contains("cannot open it"));
        std::fs::write(dir.join("big"), vec![0u8; MAX_ATTACHMENT_BYTES as usize + 1]).unwrap();
        assert!(prepare(&schema(), &json!({"files": ["big"]}), &dir).unwrap_err().contains("1536 KiB in all"));
        assert!(prepare(&schema(), &json!({"files": [1]}), &dir).unwrap_err().contains("list of file paths"));
        assert!(prepare(&schema(), &json!({"overwrite": "yes"}), &dir).unwrap_err().contains("true or false"));
    }

    #[test]
    fn a_media_result_must_hold_what_it_says() {
        let dir = tempfile::tempdir().unwrap();
        let prepared = prepare(&schema(), &json!({"save_to": "v.mp3"}), dir.path()).unwrap();
        let lying = json!({"contentType": "audio/mpeg", "size": 9, "contentBase64": "SUQz"});
        assert!(finish(lying, &prepared, dir.path()).unwrap_err().contains("says size 9 but holds 3 bytes"));
        let not_media = json!({"records": []});
        assert!(finish(not_media, &prepared, dir.path()).unwrap_err().contains("has no contentType"));
        let bad = json!({"contentType": "a", "size": 1, "contentBase64": "%%%%"});
        assert!(finish(bad, &prepared, dir.path()).unwrap_err().contains("not base64"));
        assert!(!dir.path().join("v.mp3").exists());
    }
}
