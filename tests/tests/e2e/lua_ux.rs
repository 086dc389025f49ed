//! Lua and the CLI as people and scripts use them, through the real binary:
//! the REPL (piped and on a pseudo-terminal), script arguments, streamed
//! output, envelopes for every failure, structured errors, `sleep`, paging
//! and `api_*` paths.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use kosmo_harness::pty::Pty;
use kosmo_harness::*;
use serde_json::Value;

#[test]
fn the_repl_keeps_its_state_shows_expressions_and_continues_statements() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let input = "x = 5\nx + 1\nfor i = 1, 2 do\n  print('loop', i * x)\nend\nlocal_y = {a = 1}\nlocal_y\n\
                 error('oops')\nprint('still', x)\n:help\n:quit\nprint('after quit')\n";
    let run = run(kosmo(plugins.path()).args(["integrations:lua", "--repl"]), Some(input));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("lua> "), "{}", run.stdout);
    assert!(run.stdout.contains("6\n"), "x survives to the next line and the expression is shown: {}", run.stdout);
    assert!(run.stdout.contains(">> "), "the for loop goes on at the continuation prompt: {}", run.stdout);
    assert!(run.stdout.contains("loop\t5\n") && run.stdout.contains("loop\t10\n"), "{}", run.stdout);
    assert!(run.stdout.contains("\"a\": 1"), "a table is shown: {}", run.stdout);
    assert!(run.stderr.contains("repl:1: oops"), "{}", run.stderr);
    assert!(run.stdout.contains("still\t5"), "an error keeps the session: {}", run.stdout);
    assert!(run.stdout.contains("Ctrl-C cancels"), ":help: {}", run.stdout);
    assert!(!run.stdout.contains("after quit"));
}

#[test]
fn the_repl_honours_force() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let send = "r = app.integrations.ringcentral.send_sms{from = '+16505550101', to = '+16505559876', text = 'hi'}\n\
                r.direction\n";
    let refused = run(kosmo_on(&sim, plugins.path()).args(["integrations:lua", "--repl"]), Some(send));
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    let forced = run(kosmo_on(&sim, plugins.path()).args(["integrations:lua", "--repl", "--force"]), Some(send));
    assert!(forced.stdout.contains("Outbound"), "{}\n{}", forced.stdout, forced.stderr);
    assert_eq!(sim.requests_to("POST", "/sms").len(), 1);
}

#[test]
fn the_repl_on_a_terminal_edits_lines_keeps_history_and_cancels_with_ctrl_c() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let mut command = kosmo(plugins.path());
    command.args(["integrations:lua", "--repl"]).env("TERM", "xterm").env_remove("XDG_STATE_HOME");
    let mut repl = Pty::spawn(&mut command);
    // Keys typed before the editor reads again could be dropped as it sets up the terminal:
    // each line waits for the n-th read to begin (rustyline turns on bracketed paste then).
    let mut reads = 0;
    let mut line = |repl: &mut Pty, keys: &str| {
        reads += 1;
        repl.wait_for("\x1b[?2004h", reads);
        repl.keys(keys);
    };
    line(&mut repl, "x = 40\r");
    line(&mut repl, "x + 2\r");
    repl.wait_for("42", 1);
    // Left arrow five times, then a digit: `print(12 * 2)` becomes `print(120 * 2)`.
    line(&mut repl, "print(12 * 2)\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D0\r");
    repl.wait_for("240", 1);
    // Up arrow twice brings back `x + 2`.
    line(&mut repl, "\x1b[A\x1b[A\r");
    repl.wait_for("42", 2);
    line(&mut repl, "for i = 1, 2 do\r");
    line(&mut repl, "print('n' .. i * 7)\r");
    line(&mut repl, "end\r");
    repl.wait_for("n14", 1);
    // Ctrl-C stops a running statement, and the session goes on.
    line(&mut repl, "print('spin' .. 'ning') while true do end\r");
    repl.wait_for("spinning", 1);
    repl.keys("\x03");
    repl.wait_for("interrupted", 1);
    line(&mut repl, "x * 5\r");
    repl.wait_for("200", 1);
    line(&mut repl, ":quit\r");
    assert_eq!(repl.wait(), 0);
    let history = std::fs::read_to_string(plugins.path().join(".local/state/kosmo/repl_history")).unwrap();
    assert!(history.contains("x = 40") && history.contains("x + 2"), "{history}");
}

#[test]
fn scripts_get_their_arguments_and_may_start_with_a_shebang_or_bom() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let script = plugins.path().join("wf.lua");
    std::fs::write(
        &script,
        "\u{feff}#!/usr/bin/env -S kosmo integrations:lua\n\
         assert(arg[1] == 'a', 'arg[1] is ' .. tostring(arg[1]))\n\
         print(arg[0], arg[1], arg[2], select('#', ...), ...)\n\
         error('line four')\n",
    )
    .unwrap();
    let run = run(kosmo(plugins.path()).arg("integrations:lua").arg(&script).args(["--", "a", "b c"]), None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "wf.lua\ta\tb c\t2\ta\tb c\n");
    assert!(run.stderr.contains("wf.lua:4: line four"), "the shebang line still counts: {}", run.stderr);

    // Without `--`, options of the script's own pass through; `-` is standard input.
    let stdin =
        run_stdin(&plugins, &["integrations:lua", "-", "+16505550101", "--flag"], "print(select('#', ...), ...)");
    assert_eq!(stdin.stdout, "2\t+16505550101\t--flag\n", "{}", stdin.stderr);
}

fn run_stdin(plugins: &tempfile::TempDir, args: &[&str], code: &str) -> Run {
    run(kosmo(plugins.path()).args(args), Some(code))
}

#[test]
fn text_output_is_written_when_printed() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let mut child = kosmo(plugins.path())
        .args(["integrations:lua", "--cpu-limit", "100", "--eval", "print('first') while true do end"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buffer = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buffer[..n]);
            if seen.ends_with(b"first\n") {
                break;
            }
        }
        seen
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reader.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Killed like a CI job at its timeout: what was printed is out already.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(String::from_utf8(reader.join().unwrap()).unwrap(), "first\n");
}

#[test]
fn with_json_every_failure_is_an_envelope_with_its_exit_code() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let check = |run: Run, code: i32, error: &str| {
        assert_eq!(run.code, code, "{}\n{}", run.stdout, run.stderr);
        let envelope = run.envelope();
        assert_eq!(envelope["success"], false);
        let message = envelope["error"].as_str().unwrap();
        assert!(message.contains(error), "{message}");
    };
    let no_code = run(kosmo(plugins.path()).args(["integrations:lua", "--json"]), Some("  \n"));
    check(no_code, 2, "provide a Lua file");
    let missing = run(kosmo(plugins.path()).args(["integrations:lua", "nowhere.lua", "--json"]), None);
    check(missing, 1, "cannot read Lua file nowhere.lua");
    let config = plugins.path().join("broken.toml");
    std::fs::write(&config, "[integrations.ringcentral\n").unwrap();
    let bad_config = run(
        kosmo(plugins.path()).env("KOSMO_CONFIG", &config).args(["integrations:lua", "-e", "x = 1", "--json"]),
        None,
    );
    check(bad_config, 1, "broken.toml");
    let bad_call =
        run(kosmo(plugins.path()).args(["integrations:call", "ringcentral.list_messages", "{nope", "--json"]), None);
    check(bad_call, 2, "not valid JSON");
    let bad_name = run(kosmo(plugins.path()).args(["integrations:call", "list_messages", "--json"]), None);
    check(bad_name, 2, "not a function name");
}

#[test]
fn call_arguments_come_from_a_file_or_standard_input() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let file = plugins.path().join("args.json");
    std::fs::write(&file, r#"{"perPage": 3}"#).unwrap();
    let from_file = run(
        kosmo_on(&sim, plugins.path())
            .args(["integrations:call", "ringcentral.list_messages"])
            .arg(format!("@{}", file.display())),
        None,
    );
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    let page: Value = serde_json::from_str(&from_file.stdout).unwrap();
    assert_eq!(page["paging"]["perPage"], 3);
    let from_stdin = run(
        kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.list_messages", "-"]),
        Some(r#"{"perPage": 4}"#),
    );
    let page: Value = serde_json::from_str(&from_stdin.stdout).unwrap();
    assert_eq!(page["paging"]["perPage"], 4, "{}", from_stdin.stderr);
}

#[test]
fn tool_errors_are_values_with_kind_status_and_code() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local R = app.integrations.ringcentral
local ok, e = pcall(R.get_message, {messageId = '404404'})
local bad_ok, bad = pcall(R.list_messages, {perPage = 0})
local t = tostring(e)
return {
  ok = ok, kind = e.kind, status = e.status, code = e.code, message = e.message,
  request_id = e.request_id, tool = e.tool, line = e.line, file = e.file, text = t,
  matched = e:match("CMN%-102") ~= nil, joined = "failed: " .. e,
  bad_kind = bad.kind, bad_text = tostring(bad), bad_status = bad.status == nil,
}"#,
    );
    assert_eq!(result["ok"], false);
    assert_eq!(result["kind"], "api");
    assert_eq!(result["status"], 404);
    assert_eq!(result["code"], "CMN-102");
    assert!(result["message"].as_str().unwrap().contains("not found"), "{result}");
    assert!(result["request_id"].is_string(), "{result}");
    assert_eq!(result["tool"], "ringcentral.get_message");
    assert_eq!((result["file"].as_str(), result["line"].as_u64()), (Some("eval"), Some(2)));
    let text = result["text"].as_str().unwrap();
    assert!(text.starts_with("eval:2: ringcentral.get_message: RingCentral API error: HTTP 404 CMN-102"), "{text}");
    assert_eq!(result["matched"], true);
    assert_eq!(result["joined"].as_str().unwrap(), format!("failed: {text}"));
    assert_eq!(result["bad_kind"], "invalid_arguments");
    assert!(result["bad_text"].as_str().unwrap().starts_with("eval:3: ringcentral.list_messages: invalid arguments"));
    assert_eq!(result["bad_status"], true);

    // Uncaught, the envelope's error is tostring(e).
    let envelope = bench.lua("\n\napp.integrations.ringcentral.get_message({messageId = '404404'})");
    let error = envelope["error"].as_str().unwrap();
    assert!(error.starts_with("eval:3: ringcentral.get_message: RingCentral API error: HTTP 404 CMN-102"), "{error}");
}

#[test]
fn unknown_functions_and_accounts_say_where_and_how_to_configure() {
    let bench = Bench::start().with_accounts(&["work"]);
    let envelope = bench.lua("local R = app.integrations.ringcentral\n\nR.lst_messages{}");
    let error = envelope["error"].as_str().unwrap();
    assert!(
        error.starts_with("eval:3: Unknown function or account: app.integrations.ringcentral.lst_messages."),
        "{error}"
    );
    assert!(error.contains("Did you mean 'list_messages'?"), "{error}");
    let envelope = bench.lua(
        "local ok, e = pcall(function() return app.integrations.ringcentral.support.list_messages{} end)\n\
                              return e.kind, e.line, tostring(e)",
    );
    let result = &envelope["result"];
    assert_eq!(result[0], "unknown_function", "{envelope}");
    assert_eq!(result[1], 1);
    let text = result[2].as_str().unwrap();
    assert!(text.contains("[integrations.ringcentral.accounts.support]"), "{text}");
    // --account on the command line: did you mean, and where to configure.
    let run = run(bench.kosmo().args(["integrations:call", "ringcentral.list_messages", "--account", "wrok"]), None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("Did you mean 'work'?"), "{}", run.stderr);
    assert!(run.stderr.contains("[integrations.ringcentral.accounts.wrok]"), "{}", run.stderr);
}

#[test]
fn sleep_waits_within_the_time_limit() {
    let bench = Bench::start();
    let started = Instant::now();
    assert_eq!(bench.lua_ok("sleep(0.2) return 'woke'"), "woke");
    assert!(started.elapsed() >= Duration::from_millis(200));
    let run = lua_json(&mut bench.kosmo(), "\nsleep(60)", &["--cpu-limit", "5"]);
    let envelope = run.envelope();
    let error = envelope["error"].as_str().unwrap();
    assert!(error.starts_with("eval:2: sleep(60) would end past the script's time limit"), "{error}");
    assert!(error.contains("--cpu-limit"), "{error}");
}

/// Every record of a large page, two by two.
#[test]
fn paging_all_walks_next_pages_and_pins_the_default_window() {
    let bench = Bench::start();
    let window = "dateFrom = '2000-01-01T00:00:00Z', dateTo = '2100-01-01T00:00:00Z'";
    let result = bench.lua_ok(&format!(
        "local R = app.integrations.ringcentral
local big = R.list_messages{{perPage = 1000, {window}}}
local all = paging.all(R.list_messages, {{perPage = 2, {window}}})
local first = paging.all(R.list_messages, {{perPage = 2, {window}}}, {{max_records = 3}})
local pages = 0
for page in paging.pages(R.list_messages, {{perPage = 5, {window}}}) do pages = pages + 1 end
return {{big = #big.records, all = #all, same = all[#all].id == big.records[#big.records].id,
        first = #first, pages = pages}}"
    ));
    let big = result["big"].as_u64().unwrap();
    assert!(big > 4, "the simulator has messages: {result}");
    assert_eq!(result["all"].as_u64(), Some(big), "{result}");
    assert_eq!(result["same"], true);
    assert_eq!(result["first"], 3);
    assert_eq!(result["pages"].as_u64(), Some(big.div_ceil(5)));

    // The default window: every page asks for the same dateFrom and dateTo.
    bench.take_requests();
    bench.lua_ok("return #paging.all(app.integrations.ringcentral.list_messages, {perPage = 1})");
    let windows: Vec<(Option<String>, Option<String>)> = bench
        .take_requests()
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/message-store")))
        .map(|r| {
            let query: Vec<(String, String)> =
                form_urlencoded::parse(r["query"].as_str().unwrap_or_default().as_bytes()).into_owned().collect();
            let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            (get("dateFrom"), get("dateTo"))
        })
        .collect();
    assert!(windows.len() > 1, "{windows:?}");
    assert!(windows.iter().all(|w| w == &windows[0] && w.0.is_some() && w.1.is_some()), "{windows:?}");
}

#[test]
fn api_get_follows_navigation_uris_and_documented_paths() {
    let bench = Bench::start().without_conformance_check();
    let result = bench.lua_ok(
        "local R = app.integrations.ringcentral
local r = R.list_messages{perPage = 2, dateFrom = '2000-01-01T00:00:00Z'}
local next = R.api_get{path = r.navigation.nextPage.uri}
local second = R.list_messages{perPage = 2, page = 2, dateFrom = '2000-01-01T00:00:00Z'}
local ok, e = pcall(R.api_get, {path = 'https://elsewhere.example/restapi/v1.0/account/~'})
local team_ok, team = pcall(R.api_get, {path = '/team-messaging/v1/chats'})
return {page = next.paging.page, same = next.records[1].id == second.records[1].id,
        elsewhere = e.kind, team = team_ok or team.kind}",
    );
    assert_eq!(result["page"], 2, "{result}");
    assert_eq!(result["same"], true);
    assert_eq!(result["elsewhere"], "invalid_arguments");
    // Sent, and answered by the server (the simulator serves no team messaging: a 404), not
    // refused before sending.
    assert!(result["team"] == true || result["team"] == "api", "{result}");
}

#[test]
fn errors_in_peoples_words() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let call = "return app.integrations.ringcentral.get_current_user{}";
    let error_of = |command: &mut std::process::Command| {
        let envelope = lua_json(command, call, &[]).envelope();
        envelope["error"].as_str().unwrap_or_default().to_string()
    };
    // Nothing listens on a port that was just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = error_of(
        kosmo(plugins.path())
            .env("RC_SERVER_URL", format!("http://127.0.0.1:{port}"))
            .env("RC_ACCESS_TOKEN", "t")
            .env("KOSMO_ALLOW_LOOPBACK_SERVER", "1"),
    );
    assert!(refused.contains("check RC_SERVER_URL"), "{refused}");
    let unauthorized = error_of(kosmo_on(&sim, plugins.path()).env("RC_ACCESS_TOKEN", "wrong-token"));
    assert!(unauthorized.contains("HTTP 401") && unauthorized.contains("check RC_ACCESS_TOKEN"), "{unauthorized}");
    let http = error_of(
        kosmo(plugins.path()).env("RC_SERVER_URL", "http://platform.ringcentral.com").env("RC_ACCESS_TOKEN", "t"),
    );
    assert!(http.contains("requires https"), "{http}");

    let config = plugins.path().join("kosmo.toml");
    std::fs::write(
        &config,
        format!(
            "[integrations.ringcentral.accounts.work]\nserver_url = \"{}\"\naccess_token = \"t\"\n\n[integrations.ringcentarl.permissions]\nwrite = \"allow\"\n",
            sim.url
        ),
    )
    .unwrap();
    let run = lua_json(
        kosmo(plugins.path()).env("KOSMO_CONFIG", &config),
        "return app.integrations.ringcentral.work.get_current_user{}",
        &[],
    );
    let loopback = run.envelope()["error"].as_str().unwrap().to_string();
    assert!(loopback.contains("[integrations.ringcentral.accounts.work]"), "{loopback}");
    assert!(loopback.contains("allow_loopback_server = true") && !loopback.contains("RC_SERVER_URL"), "{loopback}");
    assert!(
        run.stderr.contains("'ringcentarl'") && run.stderr.contains("Did you mean 'ringcentral'?"),
        "{}",
        run.stderr
    );
}

#[test]
fn helper_docs_pages_and_enums() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        "return {json = docs.read('json'), regex = docs.read('regex'), paging = docs.read('paging'),
                 errors = docs.read('errors'), contacts = docs.read('ringcentral.list_contacts'), list = docs.list()}",
    );
    assert!(result["json"].as_str().unwrap().contains("json.decode(text) -> value"), "{result}");
    assert!(result["regex"].as_str().unwrap().contains("regex.match(subject, pattern)"), "{result}");
    assert!(result["paging"].as_str().unwrap().contains("paging.all(tool, args"), "{result}");
    assert!(result["errors"].as_str().unwrap().contains("e.status"), "{result}");
    assert!(
        result["contacts"].as_str().unwrap().contains("start of the first name or the last name, ignoring case"),
        "{result}"
    );
    assert!(result["list"].as_str().unwrap().contains("Script helpers: json, regex, paging, errors"), "{result}");
    let schema = run(bench.kosmo().args(["integrations:schema", "ringcentral.list_messages"]), None);
    let schema: Value = serde_json::from_str(&schema.stdout).unwrap();
    assert!(schema["properties"]["messageType"]["anyOf"][0]["enum"].is_array(), "{schema}");
    assert!(schema["properties"]["perPage"]["enum"].is_null());
}

#[test]
fn every_invalid_argument_in_one_error() {
    let bench = Bench::start();
    let envelope =
        bench.lua("app.integrations.ringcentral.list_messages{perPage = 0, direction = 'Sideways', colour = 1}");
    let error = envelope["error"].as_str().unwrap();
    assert!(error.contains("list_messages: 3 problems:"), "{error}");
    assert!(error.contains("'colour'") && error.contains("'perPage'") && error.contains("'direction'"), "{error}");
}

#[test]
fn docs_suggest_the_page_meant() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let page = run(kosmo(plugins.path()).args(["integrations:docs", "ringcentral.send_smss"]), None);
    assert_ne!(page.code, 0);
    assert!(page.stderr.contains("Did you mean 'ringcentral.send_sms'?"), "{}", page.stderr);
    let id = run(kosmo(plugins.path()).args(["integrations:docs", "ringcentarl"]), None);
    assert!(id.stderr.contains("Did you mean 'ringcentral'?"), "{}", id.stderr);
}

const SMS_ARGS: &str = "{from = '+16505550101', to = '+16505559876', text = 'once'}";

/// Refusals on the write path (confirmation, the journal, the number rules,
/// the policy) reach scripts as error values of their kind, message as before.
#[test]
fn write_refusals_are_error_values_of_their_kind() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let code = format!(
        "local R = app.integrations.ringcentral
local function try(args)
  local ok, e = pcall(R.send_sms, args)
  if ok then return 'sent' end
  return {{kind = e.kind, text = tostring(e), line = e.line}}
end
return {{first = try({SMS_ARGS}), again = try({SMS_ARGS}),
        number = try({{from = '+16505550101', to = 'call me', text = 'x'}})}}"
    );
    // No terminal to ask on and no --force: not approved.
    let unasked = lua_json(&mut kosmo_on(&sim, plugins.path()), &code, &[]).envelope();
    let first = &unasked["result"][0]["first"];
    assert_eq!(first["kind"], "permission", "{unasked}");
    let text = first["text"].as_str().unwrap();
    assert!(text.starts_with("eval:3: ") && text.contains("--force") && text.contains("Nothing was sent"), "{text}");
    assert!(sim.requests_to("POST", "/sms").is_empty());

    let forced = lua_json(&mut kosmo_on(&sim, plugins.path()), &code, &["--force"]).envelope();
    let result = &forced["result"][0];
    assert_eq!(result["first"], "sent", "{forced}");
    assert_eq!(result["again"]["kind"], "denied", "the journal refuses the repeat: {forced}");
    assert!(result["again"]["text"].as_str().unwrap().contains("--allow-repeat"), "{forced}");
    assert_eq!(result["number"]["kind"], "invalid_arguments", "{forced}");
    assert!(result["number"]["text"].as_str().unwrap().contains("E.164"), "{forced}");
    assert_eq!(sim.requests_to("POST", "/sms").len(), 1, "sent once");

    let config = plugins.path().join("deny.toml");
    std::fs::write(&config, "[integrations.ringcentral.permissions]\nwrite = \"deny\"\n").unwrap();
    let denied = lua_json(kosmo_on(&sim, plugins.path()).env("KOSMO_CONFIG", &config), &code, &["--force"]).envelope();
    assert_eq!(denied["result"][0]["first"]["kind"], "permission", "{denied}");
    assert!(denied["result"][0]["first"]["text"].as_str().unwrap().contains("denied by policy"), "{denied}");
    assert_eq!(sim.requests_to("POST", "/sms").len(), 1, "nothing more sent");
}

/// The REPL's calls take the script's options: `--dry-run` previews.
#[test]
fn the_repl_previews_with_dry_run() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let input = format!(
        "r = app.integrations.ringcentral.send_sms{SMS_ARGS}\nr.request.method .. ' sent=' .. tostring(r.sent)\n"
    );
    let run = run(kosmo_on(&sim, plugins.path()).args(["integrations:lua", "--repl", "--dry-run"]), Some(&input));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("POST sent=false"), "{}\n{}", run.stdout, run.stderr);
    assert!(sim.requests_to("POST", "/sms").is_empty(), "a preview sends nothing");
}

/// On a terminal the REPL asks before a write: a no is an error value of
/// kind `permission` and sends nothing; a yes sends it once.
#[test]
fn the_repl_on_a_terminal_confirms_writes() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let mut command = kosmo_on(&sim, plugins.path());
    command.args(["integrations:lua", "--repl"]).env("TERM", "xterm");
    let mut repl = Pty::spawn(&mut command);
    let mut reads = 0;
    let mut line = |repl: &mut Pty, keys: &str| {
        reads += 1;
        repl.wait_for("\x1b[?2004h", reads);
        repl.keys(keys);
    };
    let send = format!("ok, e = pcall(app.integrations.ringcentral.send_sms, {SMS_ARGS})\r");
    line(&mut repl, &send);
    repl.wait_for("Send it? [y/N]", 1);
    repl.keys("n\r");
    line(&mut repl, "print('kind:' .. e.kind, 'sent:' .. tostring(ok), tostring(e))\r");
    repl.wait_for("kind:permission\tsent:false\trepl:1: declined by the user, nothing sent", 1);
    assert!(sim.requests_to("POST", "/sms").is_empty(), "declined: nothing sent");
    line(&mut repl, &send);
    repl.wait_for("Send it? [y/N]", 2);
    repl.keys("y\r");
    line(&mut repl, "print('now:' .. tostring(ok))\r");
    repl.wait_for("now:true", 1);
    line(&mut repl, ":quit\r");
    assert_eq!(repl.wait(), 0);
    assert_eq!(sim.requests_to("POST", "/sms").len(), 1, "sent once, after the yes");
}

/// A rate limit that would wait past the script's time limit: `kind = "limit"`
/// and how long the limit requires as `retry_after`.
#[test]
fn a_rate_limit_beyond_the_time_limit_is_an_error_value_of_kind_limit() {
    let sim = Sim::with_args(&["--rate-limit", "light=2", "--rate-limit-window", "60"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let code = "local R = app.integrations.ringcentral
R.get_current_user{} R.get_current_user{}
local ok, e = pcall(R.get_current_user, {})
return {ok = ok, kind = e.kind, retry_after = e.retry_after, text = tostring(e)}";
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), code, &["--cpu-limit", "5"]);
    let result = &run.envelope()["result"][0];
    assert_eq!(result["kind"], "limit", "{}\n{}", run.stdout, run.stderr);
    let retry_after = result["retry_after"].as_u64().unwrap_or_default();
    assert!((1..=60).contains(&retry_after), "the wait the 60 s window requires: {result}");
    let text = result["text"].as_str().unwrap();
    assert!(text.starts_with("eval:3: ") && text.contains("requires waiting"), "{text}");
    assert_eq!(sim.requests_to("GET", "/extension/~").len(), 2, "the third was not sent");
}

/// `paging.all` under an enforced rate limit: the pages wait for the limit
/// (no 429), and reads leave no write journal behind.
#[test]
fn paging_all_waits_for_the_rate_limit() {
    let sim = Sim::with_args(&["--rate-limit", "light=4", "--rate-limit-window", "2"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let window = "dateFrom = '2000-01-01T00:00:00Z', dateTo = '2100-01-01T00:00:00Z'";
    let code = format!(
        "local R = app.integrations.ringcentral
local big = R.list_messages{{perPage = 1000, {window}}}
local all = paging.all(R.list_messages, {{perPage = 2, {window}}})
return {{big = #big.records, all = #all}}"
    );
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), &code, &["--cpu-limit", "120"]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}\n{}", run.stdout, run.stderr);
    let big = envelope["result"][0]["big"].as_u64().unwrap();
    assert_eq!(envelope["result"][0]["all"].as_u64(), Some(big), "{envelope}");
    let pages = big.div_ceil(2) as usize;
    assert!(pages + 1 > 4, "more requests than the limit admits at once: {big} records");
    assert_eq!(sim.requests_to("GET", "/message-store").len(), pages + 1, "each page admitted the first time");
    let waited: f64 =
        envelope["integration_calls"].as_array().unwrap().iter().map(|c| c["waitedMs"].as_f64().unwrap()).sum();
    assert!(waited > 0.0, "the pages waited for the limit: {envelope}");
    assert!(!plugins.path().join("cache/kosmo/journal").exists(), "reads are not journaled");
}
