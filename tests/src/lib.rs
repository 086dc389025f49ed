//! The harness for end-to-end tests. It drives the artefacts `make build`
//! produced, as a user would: the `kosmo` binary as a subprocess, the plugin
//! components from a plugin directory, the simulator over loopback HTTP.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use serde_json::Value;

pub mod mcp;

/// The token the simulator accepts by default.
pub const SIM_TOKEN: &str = "sim-token";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// An artefact of `make build`; a missing one is a clear failure, not a skip.
fn artefact(relative: &str) -> PathBuf {
    let path = workspace_root().join(relative);
    assert!(path.exists(), "{} is missing: run `make build` first", path.display());
    path
}

pub fn kosmo_bin() -> PathBuf {
    artefact("target/release/kosmo")
}

pub fn sim_bin() -> PathBuf {
    artefact("target/release/ringcentral-sim")
}

pub fn ringcentral_plugin() -> PathBuf {
    artefact("target/wasm32-wasip2/release/ringcentral.wasm")
}

pub fn hostile_plugin() -> PathBuf {
    artefact("target/wasm32-wasip2/release/hostile.wasm")
}

/// A build of `tests/plugins/versioned` whose manifest version is `version`
/// (`v1`, `v2`, or `bad-api`, which claims an unsupported WIT api version).
pub fn versioned_plugin(version: &str) -> PathBuf {
    artefact(&format!("target/test-plugins/versioned-{version}.wasm"))
}

/// A running simulator, stopped when dropped (and by itself if the test
/// process dies: it exits when its stdin closes).
pub struct Sim {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    pub url: String,
}

impl Sim {
    pub fn start() -> Sim {
        Sim::with_args(&[])
    }

    pub fn with_args(args: &[&str]) -> Sim {
        let mut child = Command::new(sim_bin())
            .args(["--addr", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start ringcentral-sim");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the simulator's first line");
        let url = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the simulator: {line:?}"))
            .to_string();
        Sim { child, _stdout: stdout, url }
    }

    /// Every request that reached the simulator's API, in order.
    pub fn requests(&self) -> Vec<Value> {
        let body = ureq::get(format!("{}/__sim/requests", self.url))
            .call()
            .expect("GET /__sim/requests")
            .into_body()
            .read_to_string()
            .expect("read the request log");
        serde_json::from_str::<Value>(&body).expect("the request log is JSON").as_array().cloned().unwrap_or_default()
    }

    /// The requests whose path ends with `suffix`.
    pub fn requests_to(&self, method: &str, suffix: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["method"] == method && r["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
            .collect()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plugin directory holding copies of the given components.
pub fn plugin_dir(plugins: &[&Path]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a plugin directory");
    for plugin in plugins {
        std::fs::copy(plugin, dir.path().join(plugin.file_name().expect("a file name"))).expect("copy a plugin");
    }
    dir
}

/// A `kosmo` command with a clean environment: nothing of the caller's
/// RingCentral configuration leaks into a test.
pub fn kosmo(plugins: &Path) -> Command {
    let mut command = Command::new(kosmo_bin());
    for (name, _) in std::env::vars() {
        if name.starts_with("RC_") || name.starts_with("KOSMO_") {
            command.env_remove(name);
        }
    }
    command.env("KOSMO_PLUGIN_DIR", plugins);
    command.env("HOME", plugins);
    command.env("XDG_CONFIG_HOME", plugins.join("config"));
    command.env("XDG_CACHE_HOME", plugins.join("cache"));
    command
}

/// `kosmo` pointed at a simulator, with the loopback server allowed.
pub fn kosmo_on(sim: &Sim, plugins: &Path) -> Command {
    let mut command = kosmo(plugins);
    command.env("RC_SERVER_URL", &sim.url).env("RC_ACCESS_TOKEN", SIM_TOKEN).env("KOSMO_ALLOW_LOOPBACK_SERVER", "1");
    command
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `--json` envelope.
    pub fn envelope(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not a JSON envelope ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
}

/// Runs a command to completion, feeding `stdin` if given.
pub fn run(command: &mut Command, stdin: Option<&str>) -> Run {
    command.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = command.spawn().expect("start kosmo");
    if let Some(text) = stdin {
        child.stdin.take().expect("piped stdin").write_all(text.as_bytes()).expect("write stdin");
    }
    let output = child.wait_with_output().expect("wait for kosmo");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `kosmo integrations:lua --eval CODE --json [extra...]`.
pub fn lua_json(command: &mut Command, code: &str, extra: &[&str]) -> Run {
    command.args(["integrations:lua", "--eval", code, "--json"]).args(extra);
    run(command, None)
}
