//! The harness for end-to-end tests. It drives the artefacts `make build`
//! produced, as a user would: the `kosmo` binary as a subprocess, the plugin
//! components from a plugin directory, the simulator over loopback HTTP.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ringcentral_sim::launcher::SimProcess;
use serde_json::Value;

pub mod conformance;
pub mod contract;
pub mod mcp;
pub mod mcp_http;
pub mod media;
pub mod pty;
pub mod redis;
pub mod seed;
pub mod tools;

/// The token the simulator accepts by default.
pub const SIM_TOKEN: &str = "sim-token";
/// The simulator's demo OAuth client and user JWT.
pub const SIM_CLIENT_ID: &str = "sim-client";
pub const SIM_CLIENT_SECRET: &str = "sim-secret";
pub const SIM_JWT: &str = "sim-jwt";
/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/restapi/oauth/token";
/// No kosmo run in the tests may take longer than this; past it, it is killed.
pub const RUN_DEADLINE: Duration = Duration::from_secs(120);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// A file of the project's `shared/` folder, which sits beside the repository
/// (reference material that is read in place, never copied in).
pub fn shared_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared").join(relative)
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

/// A build of `tests/plugins/noisy`, whose texts carry terminal escape
/// sequences: `loud` loads; `bad-id`, `bad-version` and `bad-api` have a
/// control character in that manifest field and must be refused.
pub fn noisy_plugin(variant: &str) -> PathBuf {
    artefact(&format!("target/test-plugins/noisy-{variant}.wasm"))
}

/// A build of `tests/plugins/bloated` (`flood`: 80,000 tools; `schema`: a
/// 1 MiB schema; `crowd`: 1,000 tools with 64-byte names, the most allowed).
pub fn bloated_plugin(build: &str) -> PathBuf {
    artefact(&format!("target/test-plugins/bloated-{build}.wasm"))
}

/// Writes `dir/config.toml` with an account for the versioned plugin (which
/// sends nothing) and the given `[integrations.versioned.permissions]` lines.
pub fn versioned_config(dir: &Path, permissions: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[integrations.versioned.accounts.default]\nserver_url = \"https://platform.ringcentral.com\"\n\
             access_token = \"unused\"\n\n[integrations.versioned.permissions]\n{permissions}\n"
        ),
    )
    .expect("write the versioned plugin's config file");
    path
}

/// A running simulator, stopped when dropped (and by itself if the test
/// process dies: it exits when its stdin closes).
pub struct Sim {
    _process: SimProcess,
    pub url: String,
}

impl Sim {
    pub fn start() -> Sim {
        Sim::with_args(&[])
    }

    pub fn with_args(args: &[&str]) -> Sim {
        let process = SimProcess::start(&sim_bin(), args);
        Sim { url: process.url().to_owned(), _process: process }
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

    /// Adds faults (one JSON object or a list) for the next matching requests.
    pub fn faults(&self, faults: Value) {
        ureq::post(format!("{}/__sim/faults", self.url))
            .header("Content-Type", "application/json")
            .send(faults.to_string())
            .expect("POST /__sim/faults");
    }

    /// The `grant_type` of every token request so far, in order.
    pub fn token_grants(&self) -> Vec<String> {
        self.requests_to("POST", TOKEN_PATH)
            .iter()
            .map(|r| {
                let body = r["body"].as_str().unwrap_or_default();
                body.split('&')
                    .find_map(|pair| pair.strip_prefix("grant_type="))
                    .map(|g| g.replace("%3A", ":"))
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The requests whose path ends with `suffix`.
    pub fn requests_to(&self, method: &str, suffix: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["method"] == method && r["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
            .collect()
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

/// `kosmo` pointed at a simulator with the OAuth JWT grant (the simulator's
/// demo client and JWT) instead of a static token. Tokens are cached under
/// `<plugins>/cache`, so runs sharing a plugin directory share the cache.
pub fn kosmo_jwt(sim: &Sim, plugins: &Path) -> Command {
    let mut command = kosmo(plugins);
    command
        .env("RC_SERVER_URL", &sim.url)
        .env("RC_APP_CLIENT_ID", SIM_CLIENT_ID)
        .env("RC_APP_CLIENT_SECRET", SIM_CLIENT_SECRET)
        .env("RC_USER_JWT", SIM_JWT)
        .env("KOSMO_ALLOW_LOOPBACK_SERVER", "1");
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

/// Runs a command to completion, feeding `stdin` if given. A run that
/// outlives [`RUN_DEADLINE`] is killed and fails the test.
pub fn run(command: &mut Command, stdin: Option<&str>) -> Run {
    spawn(command, stdin).finish()
}

/// A started command, for tests that run several at once.
pub struct Running {
    child: Child,
    stdout: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
    started: Instant,
}

pub fn spawn(command: &mut Command, stdin: Option<&str>) -> Running {
    command.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = command.spawn().expect("start kosmo");
    if let Some(text) = stdin {
        child.stdin.take().expect("piped stdin").write_all(text.as_bytes()).expect("write stdin");
    }
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    Running { child, stdout, stderr, started: Instant::now() }
}

impl Running {
    pub fn finish(mut self) -> Run {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for kosmo") {
                break status;
            }
            if self.started.elapsed() > RUN_DEADLINE {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("kosmo ran for more than {} s and was killed", RUN_DEADLINE.as_secs());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Run {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.join().unwrap_or_default(),
            stderr: self.stderr.join().unwrap_or_default(),
        }
    }
}

/// `kosmo integrations:lua --eval CODE --json [extra...]`.
pub fn lua_json(command: &mut Command, code: &str, extra: &[&str]) -> Run {
    command.args(["integrations:lua", "--eval", code, "--json"]).args(extra);
    run(command, None)
}

/// A simulator and a plugin directory for a series of `kosmo` runs. When it is
/// dropped at the end of a passing test, every request that reached the
/// simulator is checked against RingCentral's OpenAPI description.
pub struct Bench {
    pub sim: Sim,
    pub plugins: tempfile::TempDir,
    config: Option<PathBuf>,
    check_conformance: bool,
}

impl Bench {
    pub fn start() -> Bench {
        let plugins = plugin_dir(&[&ringcentral_plugin()]);
        media::write_samples(plugins.path());
        Bench { sim: Sim::start(), plugins, config: None, check_conformance: true }
    }

    /// Adds named accounts on the same simulator (`app.integrations.ringcentral.<name>`).
    pub fn with_accounts(mut self, names: &[&str]) -> Bench {
        let mut toml = String::new();
        for name in names {
            toml.push_str(&format!(
                "[integrations.ringcentral.accounts.{name}]\nserver_url = \"{}\"\naccess_token = \"{SIM_TOKEN}\"\nallow_loopback_server = true\n\n",
                self.sim.url
            ));
        }
        let path = self.plugins.path().join("kosmo.toml");
        std::fs::write(&path, toml).expect("write the config file");
        self.config = Some(path);
        self
    }

    /// For a test that sends requests outside the spec on purpose.
    pub fn without_conformance_check(mut self) -> Bench {
        self.check_conformance = false;
        self
    }

    /// `kosmo` on this bench's simulator and plugins, run in the plugin
    /// directory (which holds the [`media`] samples; files are saved there).
    pub fn kosmo(&self) -> Command {
        let mut command = kosmo_on(&self.sim, self.plugins.path());
        command.current_dir(self.plugins.path());
        if let Some(config) = &self.config {
            command.env("KOSMO_CONFIG", config);
        }
        command
    }

    /// `kosmo integrations:lua --eval CODE --json --force`: the envelope.
    pub fn lua(&self, code: &str) -> Value {
        let run = lua_json(&mut self.kosmo(), code, &["--force"]);
        run.envelope()
    }

    /// Like [`Bench::lua`], but the script must succeed; its first return value.
    pub fn lua_ok(&self, code: &str) -> Value {
        let envelope = self.lua(code);
        assert_eq!(envelope["success"], true, "the script failed:\n{code}\n{envelope:#}");
        envelope["result"][0].clone()
    }

    /// Every request the simulator has seen, then forgets them.
    pub fn take_requests(&self) -> Vec<Value> {
        let requests = self.sim.requests();
        self.check(&requests);
        ureq::delete(format!("{}/__sim/requests", self.sim.url)).call().ok();
        requests
    }

    fn check(&self, requests: &[Value]) {
        if self.check_conformance {
            assert_conforms(requests);
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let requests = self.sim.requests();
            self.check(&requests);
        }
    }
}

/// Fails when a request departs from RingCentral's OpenAPI description (method,
/// path template, query names and enum values, JSON body schema). A no-op, with a
/// loud message, when the spec file is absent.
pub fn assert_conforms(requests: &[Value]) {
    let Some(spec) = conformance::Spec::get() else { return };
    let failures: Vec<String> = requests
        .iter()
        .filter_map(|r| {
            spec.check(&conformance::WireRequest::from_log(r)).err().map(|problems| {
                format!("{} {}?{} {}\n    {}", r["method"], r["path"], r["query"], r["body"], problems.join("\n    "))
            })
        })
        .collect();
    assert!(failures.is_empty(), "requests that do not conform to the OpenAPI spec:\n{}", failures.join("\n"));
}
