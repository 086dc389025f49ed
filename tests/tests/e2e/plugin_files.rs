//! Plugin files: the directory's warnings, the compile cache of one-shot runs,
//! and `kosmo plugin:inspect`.

use std::path::{Path, PathBuf};

use kosmo_harness::*;
use ringcentral_core::tools::TOOLS;
use serde_json::Value;

/// `integrations:list --json` with `KOSMO_LOG=debug`.
fn list(plugins: &Path) -> Run {
    let mut command = kosmo(plugins);
    command.env("KOSMO_LOG", "debug").args(["integrations:list", "--json"]);
    let run = run(&mut command, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

fn listed(run: &Run) -> Vec<(String, String)> {
    let list: Value = serde_json::from_str(&run.stdout).expect("JSON");
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p["version"].as_str().unwrap().to_string()))
        .collect()
}

fn cache_entries(plugins: &Path) -> Vec<PathBuf> {
    // `kosmo()` points XDG_CACHE_HOME at <plugins>/cache.
    let dir = plugins.join("cache").join("kosmo").join("compiled");
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    entries.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
    entries.sort();
    entries
}

/// The "compiled X in N ms" / "loaded X from the compile cache in N ms" line.
fn timing_line<'a>(stderr: &'a str, what: &str) -> Option<&'a str> {
    stderr.lines().find(|l| l.contains(what))
}

#[test]
fn a_bad_file_is_skipped_with_a_warning_naming_it_and_why() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let dir = plugins.path();
    std::fs::write(dir.join("notes.wasm"), "just text").unwrap();
    std::fs::write(dir.join("module.wasm"), b"\0asm\x01\0\0\0").unwrap(); // a core module, not a component
    std::fs::copy(versioned_plugin("bad-api"), dir.join("future.wasm")).unwrap();
    std::fs::copy(hostile_plugin(), dir.join("zz-impostor.wasm")).unwrap(); // claims the id ringcentral
    std::fs::copy(versioned_plugin("v1"), dir.join("versioned.wasm")).unwrap();
    std::fs::copy(versioned_plugin("v2"), dir.join(".hidden.wasm")).unwrap(); // ignored
    std::fs::write(dir.join("readme.txt"), "ignored").unwrap();

    let run = list(dir);
    assert_eq!(listed(&run), [("ringcentral".into(), "0.1.0".into()), ("versioned".into(), "v1".into())]);
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 4, "{}", run.stderr);
    let expect = [
        ("notes.wasm", "is not a WebAssembly component"),
        ("module.wasm", "is not a WebAssembly component"),
        ("future.wasm", "targets kosmo:integration@9.9.9, but this host supports 0.1.0"),
        ("zz-impostor.wasm", "its id 'ringcentral' is already provided by"),
    ];
    for (file, reason) in expect {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("skipping {}", dir.join(file).display())) && w.contains(reason)),
            "{file}: {reason}\n{}",
            run.stderr
        );
    }
}

#[test]
fn the_second_one_shot_run_does_not_compile_the_plugin() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let dir = plugins.path();

    let first = list(dir);
    let compiled =
        timing_line(&first.stderr, "compiled ringcentral.wasm in").unwrap_or_else(|| panic!("{}", first.stderr));
    assert_eq!(cache_entries(dir).len(), 1);

    let second = list(dir);
    let hit = timing_line(&second.stderr, "loaded ringcentral.wasm from the compile cache in")
        .unwrap_or_else(|| panic!("{}", second.stderr));
    assert!(!second.stderr.contains("compiled ringcentral.wasm"), "{}", second.stderr);
    assert_eq!(listed(&second), listed(&first));
    eprintln!("first run:  {compiled}\nsecond run: {hit}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let entry = &cache_entries(dir)[0];
        assert_eq!(std::fs::metadata(entry).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(entry.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    }
}

#[test]
fn a_changed_or_corrupted_cache_entry_is_detected_and_rebuilt() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let dir = plugins.path();
    list(dir);
    let entry = cache_entries(dir).pop().unwrap();
    let good = std::fs::read(&entry).unwrap();

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let damaged: [(&str, Vec<u8>, &str); 3] = [
        ("one byte changed", flipped, "do not match the checksum"),
        ("truncated", good[..good.len() / 2].to_vec(), "do not match the checksum"),
        (
            "replaced",
            b"something else entirely, longer than a header of forty bytes".to_vec(),
            "not a kosmo cache entry",
        ),
    ];
    for (what, bytes, reason) in damaged {
        std::fs::write(&entry, &bytes).unwrap();
        let run = list(dir);
        assert!(run.stderr.contains(reason) && run.stderr.contains("recompiling"), "{what}:\n{}", run.stderr);
        assert!(run.stderr.contains("compiled ringcentral.wasm in"), "{what}:\n{}", run.stderr);
        assert_eq!(listed(&run), [("ringcentral".into(), "0.1.0".into())], "{what}");
        // Rebuilt: the next run is a clean hit.
        let next = list(dir);
        assert!(next.stderr.contains("loaded ringcentral.wasm from the compile cache"), "{what}:\n{}", next.stderr);
        assert!(!next.stderr.contains("warning"), "{what}:\n{}", next.stderr);
    }
}

#[test]
fn a_one_shot_run_loads_the_current_file_and_compiles_a_changed_one() {
    let plugins = plugin_dir(&[]);
    let dir = plugins.path();
    let target = dir.join("versioned.wasm");
    std::fs::copy(versioned_plugin("v1"), &target).unwrap();
    let first = list(dir);
    // With no file of its id, the built-in RingCentral plugin serves too.
    let builtin = ("ringcentral".to_string(), "0.1.0".to_string());
    assert_eq!(listed(&first), [builtin.clone(), ("versioned".into(), "v1".into())]);
    assert!(first.stderr.contains("compiled versioned.wasm"), "{}", first.stderr);

    std::fs::copy(versioned_plugin("v2"), &target).unwrap();
    let second = list(dir);
    assert_eq!(listed(&second), [builtin.clone(), ("versioned".into(), "v2".into())]);
    assert!(second.stderr.contains("compiled versioned.wasm"), "a changed plugin is compiled:\n{}", second.stderr);

    std::fs::copy(versioned_plugin("v1"), &target).unwrap();
    let third = list(dir);
    assert_eq!(listed(&third), [builtin, ("versioned".into(), "v1".into())]);
    assert!(third.stderr.contains("loaded versioned.wasm from the compile cache"), "{}", third.stderr);
    // Both builds, and the built-in plugin.
    assert_eq!(cache_entries(dir).len(), 3);
}

#[test]
fn inspect_shows_the_manifest_the_world_and_the_tools() {
    let plugins = plugin_dir(&[]);
    let mut command = kosmo(plugins.path());
    command.arg("plugin:inspect").arg(ringcentral_plugin());
    let text = run(&mut command, None);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let tools_heading = format!("tools ({};", TOOLS.len());
    for expected in [
        "id           ringcentral",
        "api version  0.2.0",
        "WIT world (as wasmtime sees it",
        "wasi:http/outgoing-handler@0.2.12: handle",
        "call-tool: func(name: string, arguments: string, context: record { account: string, server-origin: string })",
        tools_heading.as_str(),
        "send_sms                     write Send SMS",
        "(from*: string, text*: string, to*: string)",
        "valid: kosmo loads it as 'ringcentral'",
    ] {
        assert!(text.stdout.contains(expected), "missing {expected:?} in:\n{}", text.stdout);
    }

    let mut command = kosmo(plugins.path());
    command.arg("plugin:inspect").arg(ringcentral_plugin()).arg("--json");
    let json = run(&mut command, None);
    let report: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(report["valid"], true);
    assert_eq!(report["manifest"]["id"], "ringcentral");
    let tools = report["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    contract::assert_lists_the_table("plugin:inspect --json", &names);
    let send_sms = tools.iter().find(|t| t["name"] == "send_sms").unwrap();
    assert_eq!(send_sms["operation"], "write");
    assert_eq!(send_sms["input_schema"]["type"], "object");
    let exports: Vec<&str> =
        report["world"]["exports"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    for name in ["manifest", "list-tools", "call-tool", "read-docs"] {
        assert!(exports.contains(&name), "{exports:?}");
    }
    assert_eq!(report["file"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn inspect_says_why_a_plugin_would_be_refused() {
    let plugins = plugin_dir(&[]);
    let mut command = kosmo(plugins.path());
    command.arg("plugin:inspect").arg(versioned_plugin("bad-api")).arg("--json");
    let bad = run(&mut command, None);
    assert_eq!(bad.code, 1);
    let report: Value = serde_json::from_str(&bad.stdout).expect("JSON");
    assert_eq!(report["valid"], false);
    assert_eq!(report["manifest"]["api_version"], "9.9.9", "the manifest is still shown");
    assert!(report["error"].as_str().unwrap().contains("targets kosmo:integration@9.9.9"), "{report}");

    let garbage = plugins.path().join("garbage.wasm");
    std::fs::write(&garbage, "not wasm").unwrap();
    let mut command = kosmo(plugins.path());
    command.arg("plugin:inspect").arg(&garbage);
    let run = run(&mut command, None);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("not loadable:") && run.stdout.contains("is not a WebAssembly component"),
        "{}",
        run.stdout
    );
}
