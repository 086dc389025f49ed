//! kosmo as an MCP client (`app.mcp.*`, `mcp.*`, `mcp:lua`, `mcp:list`)
//! through the real binary, against the project's test server
//! (`tests/servers/fake_mcp.py`, on the official MCP Python SDK) and the
//! reference server `@modelcontextprotocol/server-everything` over stdio
//! and Streamable HTTP: results of each kind, permissions, resources and
//! prompts, servers that crash, hang or never start, the child's
//! environment, its stderr, and no process left behind on any way out.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kosmo_harness::*;
use serde_json::{Value, json};

/// Generous: processes start slowly on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(30);

fn fake_server() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("servers/fake_mcp.py")
}

/// A folder with a config file whose `[mcp.servers.fake]` is the test
/// server (notes and pids files in the folder) plus `extra` TOML.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(fake: &str, extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[mcp.servers.fake]\ncommand = {python:?}\nargs = [{server:?}]\n\
             env = {{ FAKE_NOTES_FILE = {notes:?}, FAKE_PIDS_FILE = {pids:?}, CONFIGURED = \"yes\" }}\n{fake}\n{extra}\n",
            python = tools::python().display().to_string(),
            server = fake_server().display().to_string(),
            notes = dir.path().join("notes.txt").display().to_string(),
            pids = dir.path().join("pids.txt").display().to_string(),
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Setup { dir }
    }

    fn kosmo(&self) -> Command {
        let mut command = kosmo(self.dir.path());
        command.env("KOSMO_CONFIG", self.dir.path().join("config.toml"));
        command
    }

    /// `kosmo mcp:lua --eval CODE --json [extra]`.
    fn mcp_lua(&self, code: &str, extra: &[&str]) -> Run {
        run(self.kosmo().args(["mcp:lua", "--eval", code, "--json"]).args(extra), None)
    }

    fn ok(&self, code: &str) -> Value {
        let run = self.mcp_lua(code, &[]);
        let envelope = run.envelope();
        assert_eq!(run.code, 0, "{envelope:#}\nstderr:\n{}", run.stderr);
        envelope
    }

    fn error(&self, code: &str, extra: &[&str]) -> String {
        let run = self.mcp_lua(code, extra);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        run.envelope()["error"].as_str().unwrap().to_string()
    }

    fn notes(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("notes.txt")).unwrap_or_default()
    }

    /// The pids `spawn_child` wrote: the server's and its grandchild's.
    fn pids(&self) -> Option<Vec<u32>> {
        let text = std::fs::read_to_string(self.dir.path().join("pids.txt")).ok()?;
        let pids: Vec<u32> = text.split_whitespace().filter_map(|p| p.parse().ok()).collect();
        (pids.len() == 2).then_some(pids)
    }
}

/// Whether `pid` runs (a zombie has ended: it waits only to be reaped).
fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

fn assert_all_gone(pids: &[u32], how: &str) {
    let started = Instant::now();
    while pids.iter().any(|&pid| alive(pid)) {
        assert!(started.elapsed() < DEADLINE, "{how}: processes {pids:?} outlived kosmo");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn done_when_the_fake_server_echoes_through_integrations_lua_and_mcp_lua_lists_servers() {
    let setup = Setup::new("", "");
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let mut command = kosmo(plugins.path());
    command.env("KOSMO_CONFIG", setup.dir.path().join("config.toml"));
    let shared = lua_json(&mut command, r#"dump(app.mcp.fake.echo({message="shared"}))"#, &[]);
    let envelope = shared.envelope();
    assert_eq!(shared.code, 0, "{envelope:#}\n{}", shared.stderr);
    assert_eq!(envelope["output"], "shared");
    let call = &envelope["integration_calls"][0];
    assert_eq!(
        (&call["path"], &call["status"], &call["group"]),
        (&json!("mcp.fake.echo"), &json!("ok"), &json!("mcp.fake"))
    );

    let listed = run(setup.kosmo().args(["mcp:lua", "--eval", "dump(mcp.servers())", "--json"]), None);
    assert_eq!(listed.code, 0, "{}\n{}", listed.stdout, listed.stderr);
    let envelope = listed.envelope();
    assert!(envelope["output"].as_str().unwrap().contains("\"name\": \"fake\""), "{envelope:#}");
    let servers = setup.ok("return mcp.servers()")["result"][0].clone();
    assert_eq!(servers[0]["name"], "fake");
    assert_eq!(servers[0]["type"], "stdio");
    assert_eq!(servers[0]["permissions"], json!({"read": "allow", "write": "ask"}));
    assert!(servers[0].get("env").is_none(), "env values may hold secrets: {servers}");

    // mcp:lua has the MCP servers only; integrations:lua has both.
    assert_eq!(
        setup.ok("return app.integrations == nil, docs == nil, json ~= nil, regex ~= nil")["result"],
        json!([true, true, true, true])
    );
    let mut command = kosmo(plugins.path());
    command.env("KOSMO_CONFIG", setup.dir.path().join("config.toml"));
    let both = lua_json(&mut command, "return app.integrations.ringcentral ~= nil, type(mcp.call)", &[]);
    assert_eq!(both.envelope()["result"], json!([true, "function"]), "{}", both.stderr);
}

#[test]
fn results_of_each_kind() {
    let setup = Setup::new("", "");
    let envelope = setup.ok(r#"
        local s = app.mcp.fake.structured()
        local j = app.mcp.fake.json_text()
        local i = app.mcp.fake.image()
        local ok, err = pcall(app.mcp.fake.fail, {reason = "testing"})
        local value, call_err = mcp.call("fake.fail", {})
        return s, j, i, ok, err, value == nil, call_err, mcp.call("fake.echo", {message = "via call"})
        "#);
    let result = &envelope["result"];
    assert_eq!(result[0], json!({"count": 2, "items": [{"id": 1}, {"id": 2}], "big": 9007199254740993u64}));
    assert_eq!(result[1], json!({"ok": true, "list": [1, 2, 3], "nested": {"name": "n"}}));
    assert_eq!(result[2][0], json!({"type": "image", "mimeType": "image/png", "data": "aGVsbG8="}));
    assert_eq!(result[2][1]["text"], "caption");
    assert_eq!(result[3], false);
    let raised = result[4].as_str().unwrap();
    assert!(raised.starts_with("eval:3:") || raised.contains("failed on purpose: testing"), "{raised}");
    assert!(raised.contains("failed on purpose: testing"), "{raised}");
    assert_eq!((&result[5], result[6].as_str().unwrap().contains("failed on purpose")), (&json!(true), true));
    assert_eq!(result[7], "via call");
    let calls = envelope["integration_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert_eq!(calls.iter().filter(|c| c["status"] == "error").count(), 2);

    // Hostile text: exact in JSON, escaped on a terminal.
    let noisy = setup.ok("return app.mcp.fake.noisy()");
    assert_eq!(noisy["result"][0], "before\u{1b}]52;c;aGk=\u{7}after\u{9b}31m");
    let text = run(setup.kosmo().args(["mcp:lua", "--eval", "print(app.mcp.fake.noisy())"]), None);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(!text.stdout.contains('\u{1b}') && !text.stdout.contains('\u{9b}'), "{:?}", text.stdout);
    assert!(text.stdout.contains("before\\x1b]52;c;aGk=\\x07after\\u{9b}31m"), "{:?}", text.stdout);
}

#[test]
fn unknown_servers_and_tools_say_what_there_is() {
    let setup = Setup::new("", "[mcp.servers.off]\ncommand = \"unused\"\nenabled = false\n");
    let error = setup.error("return app.mcp.fak.echo()", &[]);
    assert!(error.contains("unknown MCP server 'fak'") && error.contains("Did you mean 'fake'?"), "{error}");
    let error = setup.error("return app.mcp.fake.ech({message = 'x'})", &[]);
    assert!(error.contains("app.mcp.fake.ech") && error.contains("Did you mean 'echo'?"), "{error}");
    let error = setup.error("return app.mcp.off.x()", &[]);
    assert!(error.contains("MCP server 'off' is disabled"), "{error}");
    let error = setup.error("return app.mcp.fake.echo('not a table')", &[]);
    assert!(error.contains("takes a table of named arguments"), "{error}");
}

#[test]
fn writes_are_refused_without_force_and_deny_is_absolute() {
    let setup = Setup::new("", "");
    let write = r#"return app.mcp.fake.create_note({text = "first"})"#;
    let error = setup.error(write, &[]);
    assert!(error.contains("mcp.fake' write access requires approval") && error.contains("--force"), "{error}");
    assert_eq!(setup.notes(), "", "a refused write sent nothing");
    // Reads are allowed by default, and a read never needs --force.
    assert_eq!(setup.ok("return app.mcp.fake.echo({message = 'r'})")["meta"]["permission_bypassed"], false);

    let forced = setup.mcp_lua(write, &["--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(forced.envelope()["meta"]["permission_bypassed"], true);
    assert_eq!(setup.notes(), "first\n");
    // Its MCP name works too (mcp.call), and is the same write.
    let value = setup.mcp_lua(r#"return mcp.call("fake.Create-Note", {text = "second"})"#, &["--force"]);
    assert_eq!(value.envelope()["result"], json!(["noted"]));
    assert_eq!(setup.notes(), "first\nsecond\n");

    let denied = Setup::new("permissions = { write = \"deny\" }", "");
    let error = denied.error(write, &["--force"]);
    assert!(error.contains("denied by policy") && error.contains("--force does not override deny"), "{error}");
    assert_eq!(denied.notes(), "");
    let allowed = Setup::new("permissions = { write = \"allow\", read = \"deny\" }", "");
    assert_eq!(allowed.ok(write)["result"], json!(["noted"]));
    let error = allowed.error("return app.mcp.fake.echo({message = 'x'})", &["--force"]);
    assert!(error.contains("read access is denied"), "{error}");
}

#[test]
fn resources_and_prompts() {
    let setup = Setup::new("", "");
    let envelope = setup.ok(r#"
        local resources = mcp.resources("fake")
        local contents = mcp.read_resource("fake", resources[1].uri)
        local prompts = mcp.prompts("fake")
        local prompt = mcp.get_prompt("fake", "greet", {name = "Ada"})
        return resources[1].uri, contents[1].text, prompts[1].name, prompt.messages[1].content.text
        "#);
    assert_eq!(envelope["result"], json!(["note://readme", "fake readme text", "greet", "Hello, Ada!"]));
    let tools = setup.ok("return mcp.tools('fake'), mcp.schema('fake.echo')");
    let rows = tools["result"][0].as_array().unwrap();
    let echo = rows.iter().find(|t| t["name"] == "echo").unwrap();
    assert_eq!((&echo["operation"], &echo["lua_path"]), (&json!("read"), &json!("app.mcp.fake.echo")));
    let note = rows.iter().find(|t| t["name"] == "Create-Note").unwrap();
    assert_eq!((&note["operation"], &note["function"]), (&json!("write"), &json!("create_note")));
    assert_eq!(tools["result"][1]["required"], json!(["message"]));
}

#[test]
fn a_server_that_crashes_hangs_or_never_starts_is_a_clear_error_naming_it() {
    // Long enough for the Python server to start on a loaded machine: the timeout bounds the handshake too.
    let setup = Setup::new(
        "timeout = 15",
        "[mcp.servers.ghost]\ncommand = \"/nonexistent/mcp-server\"\n\
         [mcp.servers.quitter]\ncommand = \"sh\"\nargs = [\"-c\", \"echo leaving >&2; exit 3\"]\n\
         [mcp.servers.garbled]\ncommand = \"sh\"\nargs = [\"-c\", \"echo not-json; sleep 600\"]\ntimeout = 5\n",
    );
    let error = setup.error("return app.mcp.fake.crash()", &[]);
    assert!(error.contains("MCP server 'fake' closed the connection during tools/call crash"), "{error}");
    let error = setup.error("return app.mcp.fake.hang()", &[]);
    assert!(error.contains("MCP server 'fake' did not answer tools/call hang within 15 s"), "{error}");
    // The run goes on after an error caught by pcall: another call to a hung server fails the same way.
    let caught = setup.ok("local ok, err = pcall(app.mcp.fake.hang) return ok, err");
    assert_eq!(caught["result"][0], false);

    let error = setup.error("return app.mcp.ghost.anything()", &[]);
    assert!(error.contains("MCP server 'ghost' cannot start: `/nonexistent/mcp-server`"), "{error}");
    let error = setup.error("return app.mcp.quitter.anything()", &[]);
    assert!(error.contains("MCP server 'quitter' failed the MCP handshake"), "{error}");
    let error = setup.error("return app.mcp.garbled.anything()", &[]);
    assert!(error.contains("MCP server 'garbled'"), "{error}");
    let listed = run(setup.kosmo().args(["mcp:list"]), None);
    assert_eq!(listed.code, 1, "a server that cannot list its tools fails mcp:list");
    assert!(listed.stdout.contains("error: MCP server 'ghost' cannot start"), "{}", listed.stdout);
}

#[test]
fn results_past_the_caps_are_refused() {
    let setup = Setup::new("", "");
    let error = setup.error("return app.mcp.fake.deep({levels = 100})", &[]);
    assert!(error.contains("mcp.fake.deep") && error.contains("deeper than the limit of 64 levels"), "{error}");
    let error = setup.error("return app.mcp.fake.wide()", &[]);
    assert!(error.contains("more than the limit of 1000000 values"), "{error}");
    assert_eq!(setup.ok("return app.mcp.fake.deep({levels = 10}).d.d.d ~= nil")["result"], json!([true]));
}

#[test]
fn the_child_gets_only_its_configured_environment_plus_path_and_home() {
    let setup = Setup::new("", "");
    let sim = Sim::start();
    let mut command = kosmo_on(&sim, setup.dir.path());
    command.env("KOSMO_CONFIG", setup.dir.path().join("config.toml")).env("SOME_SECRET", "s3cret");
    let run = run(command.args(["mcp:lua", "--eval", "return app.mcp.fake.environment()", "--json"]), None);
    let envelope = run.envelope();
    assert_eq!(run.code, 0, "{envelope:#}");
    let env = envelope["result"][0].as_object().unwrap();
    for name in env.keys() {
        assert!(
            !name.starts_with("RC_") && !name.starts_with("KOSMO_") && name != "SOME_SECRET",
            "{name} leaked: {env:?}"
        );
    }
    assert_eq!((&env["CONFIGURED"], env.contains_key("PATH"), env.contains_key("HOME")), (&json!("yes"), true, true));
    assert!(!run.stdout.contains("sim-token") && !run.stdout.contains("s3cret"));
}

#[test]
fn the_servers_stderr_goes_to_the_log_escaped_never_to_stdout() {
    let setup = Setup::new("", "");
    let run = run(
        setup.kosmo().env("KOSMO_LOG", "debug").args([
            "mcp:lua",
            "--eval",
            "return app.mcp.fake.echo({message = 'x'})",
            "--json",
        ]),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("mcp server fake: fake MCP server starting \\x1b]52;c;c3RkZXJy\\x07"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'), "raw escape on stderr: {:?}", run.stderr);
    assert!(!run.stdout.contains("fake MCP server starting"));
}

#[test]
fn no_server_or_grandchild_outlives_kosmo() {
    let spawn_then = |tail: &str| format!("app.mcp.fake.spawn_child() {tail}");
    // The end of a run, an error, the CPU limit (a loop in Lua), the time limit during a hung call.
    for (how, code, extra) in [
        ("success", spawn_then("return 1"), vec![]),
        ("a script error", spawn_then("error('boom')"), vec![]),
        ("the CPU limit", spawn_then("while true do end"), vec!["--cpu-limit", "15"]),
        ("the time limit in a hung call", spawn_then("app.mcp.fake.hang()"), vec!["--cpu-limit", "15"]),
    ] {
        let setup = Setup::new("", "");
        let run = setup.mcp_lua(&code, &extra);
        assert_eq!(run.code, if how == "success" { 0 } else { 1 }, "{how}: {}\n{}", run.stdout, run.stderr);
        let pids = setup.pids().unwrap_or_else(|| panic!("{how}: the server wrote no pids\n{}", run.stderr));
        assert_all_gone(&pids, how);
    }

    // A signal: kosmo is told to stop while a call hangs.
    for (signal, status) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        let setup = Setup::new("", "");
        let running = spawn(setup.kosmo().args(["mcp:lua", "--eval", &spawn_then("app.mcp.fake.hang()")]), None);
        let started = Instant::now();
        let pids = loop {
            if let Some(pids) = setup.pids() {
                break pids;
            }
            assert!(started.elapsed() < DEADLINE, "the server never wrote its pids");
            std::thread::sleep(Duration::from_millis(50));
        };
        // The pid of kosmo: the parent of the server.
        let kosmo_pid = parent_of(pids[0]);
        unsafe {
            libc::kill(kosmo_pid as i32, signal);
        }
        let finished = running.finish();
        assert_eq!(finished.code, status, "signal {signal}: {}", finished.stderr);
        assert_all_gone(&pids, &format!("signal {signal}"));
    }
}

fn parent_of(pid: u32) -> u32 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (_, rest) = stat.rsplit_once(')').unwrap();
    rest.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn mcp_list_shows_servers_and_tools() {
    let setup = Setup::new("", "[mcp.servers.off]\nurl = \"https://mcp.example.com/mcp\"\nenabled = false\n");
    let text = run(setup.kosmo().arg("mcp:list"), None);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("fake (stdio: ") && text.stdout.contains("read=allow write=ask"), "{}", text.stdout);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert!(lines.iter().any(|l| l.contains("app.mcp.fake.echo") && l.contains("read")), "{}", text.stdout);
    assert!(lines.iter().any(|l| l.contains("app.mcp.fake.create_note") && l.contains("write")), "{}", text.stdout);
    assert!(
        text.stdout.contains("off (http: https://mcp.example.com/mcp) read=allow write=ask disabled"),
        "{}",
        text.stdout
    );
    let json = run(setup.kosmo().args(["mcp:list", "--json"]), None);
    let listed: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(listed[0]["name"], "fake");
    assert!(listed[0]["tools"].as_array().unwrap().iter().any(|t| t["name"] == "hang"));
}

#[test]
fn an_mcp_servers_json_file_of_claude_desktop_or_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("claude_desktop_config.json");
    let servers = json!({"mcpServers": {"fake": {
        "command": tools::python(), "args": [fake_server()], "env": {"FAKE_NOTES_FILE": dir.path().join("n.txt")}
    }}});
    std::fs::write(&file, servers.to_string()).unwrap();
    let mut command = kosmo(dir.path());
    command.env("KOSMO_MCP_SERVERS_JSON", &file);
    let run =
        run(command.args(["mcp:lua", "--eval", "return app.mcp.fake.echo({message = 'from json'})", "--json"]), None);
    assert_eq!(run.envelope()["result"], json!(["from json"]), "{}", run.stderr);
}

/// The reference server over stdio: `mcp-server-everything stdio`.
#[test]
fn server_everything_over_stdio() {
    let bin = tools::npm_bin("mcp-server-everything");
    let setup = Setup::new(
        "",
        &format!("[mcp.servers.everything]\ncommand = {:?}\nargs = [\"stdio\"]\n", bin.display().to_string()),
    );
    let sim = Sim::start();
    let mut command = kosmo_on(&sim, setup.dir.path());
    command.env("KOSMO_CONFIG", setup.dir.path().join("config.toml"));
    let run = run(
        command.args([
            "mcp:lua",
            "--eval",
            r#"
            local tools = {}
            for _, t in ipairs(mcp.tools("everything")) do tools[t.name] = t.operation end
            return app.mcp.everything.echo({message = "hi"}), tools.echo, app.mcp.everything.get_tiny_image(),
                app.mcp.everything.get_env(), #mcp.resources("everything") > 0, #mcp.prompts("everything") > 0
            "#,
            "--json",
        ]),
        None,
    );
    let envelope = run.envelope();
    assert_eq!(run.code, 0, "{envelope:#}\n{}", run.stderr);
    let result = &envelope["result"];
    assert_eq!(result[0], "Echo: hi");
    assert_eq!(result[1], "read");
    let image = if result[2].is_array() {
        result[2].as_array().unwrap().iter().find(|c| c["type"] == "image").cloned().unwrap()
    } else {
        result[2].clone()
    };
    assert_eq!((&image["type"], &image["mimeType"]), (&json!("image"), &json!("image/png")));
    let env = result[3].to_string();
    assert!(!env.contains("RC_") && !env.contains("sim-token") && !env.contains("KOSMO_"), "{env}");
    assert_eq!((&result[4], &result[5]), (&json!(true), &json!(true)));
}

/// A server started by the test, stopped when dropped.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The reference server over Streamable HTTP on a loopback port.
#[test]
fn server_everything_over_streamable_http() {
    let package = tools::npm_package("@modelcontextprotocol/server-everything");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new("node")
        .arg(package.join("dist/index.js"))
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start server-everything");
    let stderr = child.stderr.take().unwrap();
    let server = ServerProcess(child);
    let (ready, waiting) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("listening on port") {
                let _ = ready.send(());
            }
        }
    });
    waiting.recv_timeout(DEADLINE).expect("server-everything did not start listening");
    let setup = Setup::new(
        "",
        &format!("[mcp.servers.remote]\nurl = \"http://127.0.0.1:{port}/mcp\"\nheaders = {{ X-Test = \"1\" }}\n"),
    );
    let envelope = setup.ok("return app.mcp.remote.echo({message = 'over http'}), mcp.servers()[2].type");
    assert_eq!(envelope["result"], json!(["Echo: over http", "http"]));
    drop(server);
}
