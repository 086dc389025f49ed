//! What a plugin says is untrusted text (DESIGN.md §4, invariant 11): the
//! noisy test plugin puts terminal escape sequences (the clipboard-writing
//! OSC 52, a window title, a screen clear, the C1 CSI, DEL) in every text it
//! has, and no command may pass one raw to stdout or stderr. `--json` output
//! and MCP results carry the original text as JSON escapes. A plugin with a
//! control character in its id, version or api version is refused at load.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kosmo_harness::mcp::{McpClient, result_text};
use kosmo_harness::{Sim, kosmo, kosmo_on, lua_json, noisy_plugin, plugin_dir, ringcentral_plugin, run};
use serde_json::{Value, json};

/// The noisy plugin's hostile text (tests/plugins/noisy).
const HOSTILE: &str = "clip\x1b]52;c;cHduZWQ=\x07 title\x1b]0;pwned\x07 clear\x1b[2J csi\u{9b}2J del\x7f";
/// The same, as kosmo shows it on a terminal.
const SHOWN: &str = r"clip\x1b]52;c;cHduZWQ=\x07 title\x1b]0;pwned\x07 clear\x1b[2J csi\u{9b}2J del\x7f";

/// Fails if `text` holds a control character a terminal would act on: anything
/// but the newlines and tabs of the layout (ESC, BEL, CR, DEL, C1, ...).
fn assert_clean(what: &str, text: &str) {
    let raw: Vec<char> = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\t')).collect();
    assert!(raw.is_empty(), "{what} has raw control characters {raw:?}:\n{}", text.escape_debug());
}

/// A config file with an account for the noisy plugin (which sends nothing).
fn noisy_command(dir: &Path) -> Command {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[integrations.noisy.accounts.default]\nserver_url = \"https://platform.ringcentral.com\"\n\
         access_token = \"unused\"\n",
    )
    .expect("write the config file");
    let mut command = kosmo(dir);
    command.env("KOSMO_CONFIG", config);
    command
}

fn kosmo_run(dir: &Path, args: &[&str]) -> kosmo_harness::Run {
    run(noisy_command(dir).args(args), None)
}

#[test]
fn listings_docs_and_schemas_show_a_plugins_escape_sequences_escaped() {
    let dir = plugin_dir(&[&noisy_plugin("loud"), &ringcentral_plugin()]);

    let list = kosmo_run(dir.path(), &["integrations:list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_clean("integrations:list stdout", &list.stdout);
    assert_clean("integrations:list stderr", &list.stderr);
    assert!(list.stdout.contains(&format!("noisy — Noisy {SHOWN} 1.0.0")), "{}", list.stdout);
    assert!(list.stdout.contains(&format!("  {:<32} read  fail_api {SHOWN}", "fail_api")), "{}", list.stdout);
    assert!(list.stdout.contains("ringcentral — "), "{}", list.stdout);

    for page in ["noisy", "noisy.say"] {
        let docs = kosmo_run(dir.path(), &["integrations:docs", page]);
        assert_eq!(docs.code, 0, "{}", docs.stderr);
        assert_clean("integrations:docs stdout", &docs.stdout);
        // The page's layout survives: its newlines and its tab.
        assert!(docs.stdout.contains(&format!("\n\n{SHOWN}\n\tan indented line")), "{}", docs.stdout);
    }

    let schema = kosmo_run(dir.path(), &["integrations:schema", "noisy.say"]);
    assert_eq!(schema.code, 0, "{}", schema.stderr);
    assert_clean("integrations:schema stdout", &schema.stdout);
    let parsed: Value = serde_json::from_str(&schema.stdout).expect("the schema is JSON");
    assert_eq!(parsed["description"], HOSTILE, "JSON carries the original text, escaped once");
    assert!(schema.stdout.contains(r"\u001b]52;c;cHduZWQ=\u0007"), "{}", schema.stdout);
    assert!(schema.stdout.contains(r"csi\u009b2J del\u007f"), "{}", schema.stdout);

    let json = kosmo_run(dir.path(), &["integrations:list", "--json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_clean("integrations:list --json stdout", &json.stdout);
    let listed: Value = serde_json::from_str(&json.stdout).expect("integrations:list --json is JSON");
    let noisy = listed.as_array().unwrap().iter().find(|p| p["id"] == "noisy").expect("noisy is listed");
    assert_eq!(noisy["name"], format!("Noisy {HOSTILE}"));
    assert_eq!(noisy["functions"][0]["title"], format!("say {HOSTILE}"));
}

#[test]
fn plugin_inspect_shows_the_text_escaped_and_its_json_exact() {
    let plugin = noisy_plugin("loud");
    let dir = plugin_dir(&[]);

    let text = kosmo_run(dir.path(), &["plugin:inspect", plugin.to_str().unwrap()]);
    assert_eq!(text.code, 0, "{}\n{}", text.stdout, text.stderr);
    assert_clean("plugin:inspect stdout", &text.stdout);
    assert_clean("plugin:inspect stderr", &text.stderr);
    assert!(text.stdout.contains(&format!("name         Noisy {SHOWN}")), "{}", text.stdout);
    assert!(text.stdout.contains(&format!("description  Says {SHOWN}; for tests only.")), "{}", text.stdout);
    assert!(text.stdout.contains(&format!("read  fail_invalid {SHOWN}")), "{}", text.stdout);
    assert!(text.stdout.contains("valid: kosmo loads it as 'noisy'"), "{}", text.stdout);

    let json = kosmo_run(dir.path(), &["plugin:inspect", plugin.to_str().unwrap(), "--json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_clean("plugin:inspect --json stdout", &json.stdout);
    let report: Value = serde_json::from_str(&json.stdout).expect("plugin:inspect --json is JSON");
    assert_eq!(report["manifest"]["description"], format!("Says {HOSTILE}; for tests only."));
    assert_eq!(report["tools"][1]["description"], format!("fail_api says {HOSTILE}"));
    assert_eq!(report["tools"][0]["input_schema"]["properties"]["text"]["description"], HOSTILE);
}

#[test]
fn tool_errors_and_results_reach_the_terminal_escaped() {
    let dir = plugin_dir(&[&noisy_plugin("loud")]);

    // An api-error: every field of it is the plugin's (a remote server's) text.
    let call = kosmo_run(dir.path(), &["integrations:call", "noisy.fail_api", "{}"]);
    assert_eq!(call.code, 1, "{}", call.stderr);
    assert_clean("integrations:call stderr", &call.stderr);
    assert!(
        call.stderr.contains(&format!(
            "HTTP 400 CMN-{SHOWN}: message {SHOWN} (parameter 'parameter {SHOWN}') [RCRequestId request {SHOWN}]"
        )),
        "{}",
        call.stderr
    );
    let call = kosmo_run(dir.path(), &["integrations:call", "noisy.fail_api", "{}", "--json"]);
    assert_clean("integrations:call --json stdout", &call.stdout);
    let envelope: Value = serde_json::from_str(&call.stdout).expect("integrations:call --json is JSON");
    assert!(envelope["error"].as_str().unwrap().contains(&format!("message {HOSTILE}")), "{envelope}");

    let said = kosmo_run(dir.path(), &["integrations:call", "noisy.say", "{}"]);
    assert_eq!(said.code, 0, "{}", said.stderr);
    assert_clean("integrations:call stdout", &said.stdout);
    assert_eq!(serde_json::from_str::<Value>(&said.stdout).unwrap(), json!({ "said": HOSTILE }));

    // Lua, in text mode: a failing call's error, and data printed by the script.
    for (tool, shown) in [("fail_api", format!("message {SHOWN}")), ("fail_invalid", format!("invalid {SHOWN}"))] {
        let code = format!("return app.integrations.noisy.{tool}({{}})");
        let lua = run(noisy_command(dir.path()).args(["integrations:lua", "--eval", &code]), None);
        assert_eq!(lua.code, 1, "{}", lua.stderr);
        assert_clean("integrations:lua stderr", &lua.stderr);
        assert!(lua.stderr.contains(&shown), "{}", lua.stderr);
    }
    let code = "local r = app.integrations.noisy.say({}); print(r.said); dump(r); return r.said";
    let lua = run(noisy_command(dir.path()).args(["integrations:lua", "--eval", code]), None);
    assert_eq!(lua.code, 0, "{}", lua.stderr);
    assert_clean("integrations:lua stdout", &lua.stdout);
    assert!(lua.stdout.starts_with(&format!("{SHOWN}\n")), "{}", lua.stdout);

    // --json: the envelope carries the exact text.
    let lua = lua_json(&mut noisy_command(dir.path()), code, &[]);
    assert_clean("integrations:lua --json stdout", &lua.stdout);
    let envelope = lua.envelope();
    assert_eq!(envelope["result"][0], HOSTILE, "{envelope}");
    assert!(envelope["output"].as_str().unwrap().starts_with(&format!("{HOSTILE}\n")), "{envelope}");
}

#[test]
fn mcp_serve_logs_plugin_text_escaped_and_answers_it_exact() {
    let dir = plugin_dir(&[&noisy_plugin("loud"), &noisy_plugin("bad-api")]);
    let mut command = noisy_command(dir.path());
    command.env("KOSMO_LOG", "debug");
    let (client, _) = McpClient::start(command, &[]);

    let tools = client.list_tools();
    let say = tools.iter().find(|t| t["name"] == "noisy_say").expect("noisy_say is served");
    assert_eq!(say["description"], format!("say says {HOSTILE}"), "MCP carries the original text");
    let result = client.call_tool("noisy_fail_api", json!({}));
    assert_eq!(result["isError"], true, "{result}");
    assert!(result_text(&result).contains(&format!("message {HOSTILE}")), "{result}");

    // A replacement that must be refused: its version holds a control character.
    let staged = dir.path().join(".staged.wasm");
    std::fs::copy(noisy_plugin("bad-version"), &staged).unwrap();
    std::fs::rename(&staged, dir.path().join("noisy-loud.wasm")).unwrap();
    assert!(client.wait_for_log("hot swap: rejected", Duration::from_secs(60)), "{}", client.stderr());

    let (_, stderr) = client.close();
    assert_clean("mcp:serve stderr", &stderr);
    assert!(stderr.contains(r"targets kosmo:integration@0.1.0\x1b[2J"), "{stderr}");
    assert!(stderr.contains(r#"has an invalid version "1.0\u{1b}]0;pwned\u{7}""#), "{stderr}");
    assert!(stderr.contains("'noisy' 1.0.0 from the previous version of the file keeps serving"), "{stderr}");
}

#[test]
fn a_control_character_in_id_version_or_api_version_is_refused_at_load() {
    let sim = Sim::start();
    let bad = ["bad-id", "bad-version", "bad-api"].map(noisy_plugin);
    let dir = plugin_dir(&[&bad[0], &bad[1], &bad[2], &ringcentral_plugin()]);

    let lua = lua_json(
        &mut kosmo_on(&sim, dir.path()),
        "return app.integrations.ringcentral.get_current_user({}).extensionNumber",
        &[],
    );
    assert_eq!(lua.code, 0, "the RingCentral plugin beside them keeps working: {}", lua.stderr);
    assert_clean("integrations:lua stderr", &lua.stderr);
    for (file, rule) in [
        (
            "noisy-bad-id.wasm",
            r#"has an invalid id "noisy\u{1b}[2J" (lowercase letters, digits and '_', at most 64 bytes)"#,
        ),
        (
            "noisy-bad-version.wasm",
            r#"has an invalid version "1.0\u{1b}]0;pwned\u{7}" (a version is printable text, without control characters)"#,
        ),
        ("noisy-bad-api.wasm", r"targets kosmo:integration@0.1.0\x1b[2J, but this host supports 0.1.0"),
    ] {
        let warning = lua.stderr.lines().find(|l| l.starts_with("kosmo: warning: skipping") && l.contains(file));
        let warning = warning.unwrap_or_else(|| panic!("no warning names {file}:\n{}", lua.stderr));
        assert!(warning.contains(rule), "{warning}");
    }

    let list = run(kosmo_on(&sim, dir.path()).arg("integrations:list"), None);
    assert!(!list.stdout.contains("noisy"), "{}", list.stdout);

    for plugin in &bad {
        let inspect = run(kosmo(dir.path()).args(["plugin:inspect", plugin.to_str().unwrap()]), None);
        assert_eq!(inspect.code, 1, "{} would not load: {}", plugin.display(), inspect.stdout);
        assert_clean("plugin:inspect stdout", &inspect.stdout);
        assert!(inspect.stdout.contains("not loadable: "), "{}", inspect.stdout);
    }
}
