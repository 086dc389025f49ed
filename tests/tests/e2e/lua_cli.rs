//! The Lua front end and the CLI through the real binary: the envelope, exit
//! codes, globals, the sandbox, limits, permissions, named accounts and the
//! other `integrations:*` commands.

use std::path::Path;

use kosmo_harness::*;
use serde_json::{Value, json};

fn config_file(dir: &Path, sim: &Sim, extra: &str) -> std::path::PathBuf {
    let path = dir.join("kosmo.toml");
    let text = format!(
        r#"
[integrations.ringcentral.accounts.work]
server_url = "{url}"
allow_loopback_server = true
access_token = "work-token"

[integrations.ringcentral.accounts.support]
server_url = "{url}"
allow_loopback_server = true
access_token = "support-token"
{extra}
"#,
        url = sim.url
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_envelope_on_success_and_on_failure() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let ok = lua_json(&mut kosmo_on(&sim, plugins.path()), "print('a', 1, true) dump({x = 1}) return 42, 'x'", &[]);
    assert_eq!(ok.code, 0);
    let envelope = ok.envelope();
    // The fields come in the original's order, indented by four spaces.
    let order =
        ["success", "output", "error", "result", "execution_time_ms", "memory_usage", "integration_calls", "meta"];
    let positions: Vec<usize> =
        order.iter().map(|key| ok.stdout.find(&format!("\n    \"{key}\": ")).expect(key)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", ok.stdout);
    assert_eq!(envelope["success"], true);
    assert_eq!(envelope["output"], "a\t1\ttrue\n{\n  \"x\": 1\n}");
    assert_eq!(envelope["result"], json!([42, "x"]));
    assert!(envelope["execution_time_ms"].is_number());
    assert!(envelope["memory_usage"].as_u64().unwrap() > 0);
    assert_eq!(envelope["integration_calls"], json!([]));
    assert_eq!(envelope["meta"], json!({"permission_bypassed": false}));

    let failed = lua_json(
        &mut kosmo_on(&sim, plugins.path()),
        "print('before') app.integrations.ringcentral.get_message({messageId = '404404'})",
        &[],
    );
    assert_eq!(failed.code, 1);
    let envelope = failed.envelope();
    assert_eq!(envelope["success"], false);
    assert_eq!(envelope["output"], "before");
    assert_eq!(envelope["result"], Value::Null);
    let error = envelope["error"].as_str().unwrap();
    assert!(error.starts_with("eval:1: ringcentral.get_message: RingCentral API error: HTTP 404 CMN-102"), "{error}");
    assert!(error.contains("RCRequestId"), "{error}");
    let call = &envelope["integration_calls"][0];
    assert_eq!(call["path"], "integrations.ringcentral.get_message");
    assert_eq!(call["status"], "error");
    assert!(call["error"].as_str().unwrap().contains("CMN-102"));
    assert!(call["durationMs"].is_number());
}

#[test]
fn errors_carry_the_scripts_file_and_line() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let script = plugins.path().join("broken.lua");
    std::fs::write(&script, "local rc = app.integrations.ringcentral\n\nrc.get_message({messageId = 'x y'})\n")
        .unwrap();
    let run = run(kosmo_on(&sim, plugins.path()).arg("integrations:lua").arg(&script).arg("--json"), None);
    assert_eq!(run.code, 1);
    let error = run.envelope()["error"].as_str().unwrap().to_string();
    assert!(error.starts_with("broken.lua:3: "), "{error}");

    let misspelt = lua_json(&mut kosmo_on(&sim, plugins.path()), "app.integrations.ringcentral.list_mesages({})", &[]);
    assert!(misspelt.envelope()["error"].as_str().unwrap().contains("Did you mean 'list_messages'?"));
    assert!(sim.requests().is_empty());
}

#[test]
fn text_mode_output_and_missing_files() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let text = run(kosmo(plugins.path()).args(["integrations:lua", "-e", "print('hello') return {a = 1}"]), None);
    assert_eq!(text.code, 0);
    assert_eq!(text.stdout, "hello\n{\n  \"a\": 1\n}\n");

    let missing = run(kosmo(plugins.path()).args(["integrations:lua", "no-such-file.lua"]), None);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("cannot read Lua file no-such-file.lua"), "{}", missing.stderr);

    let bad_limit = run(kosmo(plugins.path()).args(["integrations:lua", "-e", "x=1", "--cpu-limit", "-3"]), None);
    assert_eq!(bad_limit.code, 2);
}

#[test]
fn globals_json_regex_docs() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let code = r#"
        local decoded = json.decode('{"id": 9007199254740993, "empty": [], "gone": null, "list": [1, null, 3]}')
        local out = {}
        out.id_exact = decoded.id == 9007199254740993 and math.type(decoded.id) == "integer"
        out.round_trip = json.encode(decoded)
        out.null_in_list = decoded.list[2] == json.null and #decoded.list == 3
        out.null_dropped = decoded.gone == nil
        out.encode_null = json.encode({a = json.null})
        out.dump_returns = dump(7) == 7
        local m = regex.match("order 42 shipped", "/ORDER (?P<n>\\d+)/i")
        out.match = {m[1], m[2], m.n}
        out.no_match = regex.match("abc", "\\d") == nil
        out.match_all = regex.match_all("a1b22c333", "/(\\d)(\\d*)/")
        out.gsub = regex.gsub("2026-05-01", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1")
        out.find = {regex.find("hello world", "o w")}
        out.split = regex.split("a, b,c", ",\\s*")
        out.escape = regex.escape("1.5*2")
        out.docs_has_reference = docs.read("ringcentral"):find("RingCentral Lua API Reference", 1, true) ~= nil
        out.docs_function = docs.read("ringcentral.list_messages"):find("24 hours", 1, true) ~= nil
        out.docs_list = docs.list():find("ringcentral.send_sms", 1, true) ~= nil
        out.docs_search = docs.search("sms"):find("ringcentral.send_sms", 1, true) ~= nil
        out.lua_read_doc = lua_read_doc("integrations.ringcentral.get_message"):find("messageId", 1, true) ~= nil
        out.unknown_doc = docs.read("nope")
        return out
    "#;
    let run = lua_json(&mut kosmo(plugins.path()), code, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}", run.stdout);
    let out = &envelope["result"][0];
    assert_eq!(out["id_exact"], true);
    assert_eq!(out["round_trip"], r#"{"empty":[],"id":9007199254740993,"list":[1,null,3]}"#);
    assert_eq!(out["null_in_list"], true);
    assert_eq!(out["null_dropped"], true);
    assert_eq!(out["encode_null"], r#"{"a":null}"#);
    assert_eq!(out["dump_returns"], true);
    assert_eq!(out["match"], json!(["order 42", "42", "42"]));
    assert_eq!(out["no_match"], true);
    assert_eq!(out["match_all"], json!([["1", "22", "333"], ["1", "2", "3"], ["", "2", "33"]]));
    assert_eq!(out["gsub"], "01/05/2026");
    assert_eq!(out["find"], json!([5, 7]));
    assert_eq!(out["split"], json!(["a", "b", "c"]));
    assert_eq!(out["escape"], "1\\.5\\*2");
    for key in ["docs_has_reference", "docs_function", "docs_list", "docs_search", "lua_read_doc"] {
        assert_eq!(out[key], true, "{key}");
    }
    assert!(out["unknown_doc"].as_str().unwrap().contains("No integration docs found for 'nope'"));

    let bad_pattern = lua_json(&mut kosmo(plugins.path()), "regex.match('a', '/(/')", &[]);
    assert!(bad_pattern.envelope()["error"].as_str().unwrap().contains("regex.match: invalid pattern"));
}

#[test]
fn sandbox_escapes_are_blocked() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    // Each line must fail, or yield nothing usable.
    let attempts = [
        "return os.execute('true')",
        "return io.open('/etc/passwd')",
        "return require('os')",
        "return dofile('/etc/passwd')",
        "return loadfile('/etc/passwd')",
        "return load('return 1')",
        "return string.dump(print)",
        "return ('').dump(print)",
        "return getmetatable('').__index.dump",
        "return debug.getinfo(1)",
        "return package.loaded",
        "return collectgarbage('count')",
        "return os.getenv('HOME')",
        "return os.exit(0)",
        "return os.remove('/tmp/x')",
        "return coroutine.create(print)",
        "return rawget(_G, 'io').open",
        "return _ENV.io",
        "return setmetatable({}, {__gc = function() end})",
        "return setmetatable({}, {__gc = true}) and 'finalizer set'",
        "return string.rep('x', 1 << 40)",
    ];
    for attempt in attempts {
        let run = lua_json(&mut kosmo(plugins.path()), attempt, &["--cpu-limit", "5"]);
        let envelope = run.envelope();
        let escaped = envelope["success"] == true && envelope["result"][0] != Value::Null;
        assert!(!escaped, "{attempt} escaped: {}", run.stdout);
    }
    // The host is untouched: the same run can still do normal work.
    let normal = lua_json(&mut kosmo(plugins.path()), "return string.upper('ok'), os.time() > 0", &[]);
    assert_eq!(normal.envelope()["result"], json!(["OK", true]));
}

#[test]
fn cpu_and_memory_limits_hold() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    for code in [
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "xpcall(function() while true do end end, function() while true do end end)",
        "local ok = pcall(function() while true do end end) while true do end",
    ] {
        let started = std::time::Instant::now();
        let run = lua_json(&mut kosmo(plugins.path()), code, &["--cpu-limit", "0.5"]);
        assert_eq!(run.code, 1, "{code}");
        let error = run.envelope()["error"].as_str().unwrap().to_string();
        assert!(error.contains("CPU limit of 0.5 s exceeded"), "{code}: {error}");
        assert!(started.elapsed().as_secs() < 10, "{code} was stopped late");
    }
    // A C function the instruction hook cannot interrupt still ends at the limit.
    let run = lua_json(
        &mut kosmo(plugins.path()),
        "return string.rep('a', 40000):find('.-.-.-.-b')",
        &["--cpu-limit", "0.5"],
    );
    assert_eq!(run.code, 1);
    assert!(run.envelope()["error"].as_str().unwrap().contains("CPU limit"));

    for code in ["local t = {} for i = 1, 1e8 do t[i] = i end", "local s = 'x' while true do s = s .. s end"] {
        let run = lua_json(&mut kosmo(plugins.path()), code, &["--memory-limit", "8000000"]);
        assert_eq!(run.code, 1, "{code}");
        let error = run.envelope()["error"].as_str().unwrap().to_string();
        assert!(error.contains("memory limit of 8000000 bytes exceeded"), "{code}: {error}");
    }
}

#[test]
fn deny_holds_even_with_force() {
    let sim = Sim::with_args(&["--token", "work-token"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let config =
        config_file(plugins.path(), &sim, "[integrations.ringcentral.permissions]\nwrite = \"deny\"\nread = \"allow\"");
    let code = r#"return app.integrations.ringcentral.work.send_sms({from = "+16505550101", to = "+16505559876", text = "x"})"#;
    let run = lua_json(kosmo(plugins.path()).env("KOSMO_CONFIG", &config), code, &["--force"]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false);
    assert!(envelope["error"].as_str().unwrap().contains("denied by policy"), "{}", envelope["error"]);
    assert_eq!(envelope["meta"]["permission_bypassed"], false);
    assert!(sim.requests().is_empty(), "a denied call sends nothing");

    // Reads are allowed by that same policy.
    let read = lua_json(
        kosmo(plugins.path()).env("KOSMO_CONFIG", &config),
        "return app.integrations.ringcentral.work.get_current_user({}).extensionNumber",
        &[],
    );
    assert_eq!(read.envelope()["result"], json!(["101"]), "{}", read.stdout);
}

#[test]
fn named_accounts_use_their_own_tokens() {
    let sim = Sim::with_args(&["--token", "work-token", "--token", "support-token"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let config = config_file(plugins.path(), &sim, "");
    let code = "local rc = app.integrations.ringcentral
        rc.work.get_current_user({})
        rc.support.get_current_user({})
        return true";
    let run = lua_json(kosmo(plugins.path()).env("KOSMO_CONFIG", &config), code, &[]);
    assert_eq!(run.envelope()["success"], true, "{}", run.stdout);
    let paths: Vec<Value> =
        run.envelope()["integration_calls"].as_array().unwrap().iter().map(|c| c["path"].clone()).collect();
    assert_eq!(
        paths,
        [
            json!("integrations.ringcentral.work.get_current_user"),
            json!("integrations.ringcentral.support.get_current_user")
        ]
    );
    let tokens: Vec<Value> = sim.requests().iter().map(|r| r["headers"]["authorization"].clone()).collect();
    assert_eq!(tokens, [json!("Bearer work-token"), json!("Bearer support-token")]);

    let unknown = lua_json(
        kosmo(plugins.path()).env("KOSMO_CONFIG", &config),
        "app.integrations.ringcentral.sales.get_account({})",
        &[],
    );
    let error = unknown.envelope()["error"].as_str().unwrap().to_string();
    assert!(error.contains("sales") && error.contains("Configured accounts: default, support, work"), "{error}");

    // The default account is not configured here: a clear error, nothing sent.
    let default = lua_json(
        kosmo(plugins.path()).env("KOSMO_CONFIG", &config),
        "app.integrations.ringcentral.get_account({})",
        &[],
    );
    let error = default.envelope()["error"].as_str().unwrap().to_string();
    assert!(error.contains("unknown account 'default'") && error.contains("support, work"), "{error}");
    assert_eq!(sim.requests().len(), 2);
}

#[test]
fn the_other_integration_commands() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);

    let list = run(kosmo_on(&sim, plugins.path()).args(["integrations:list", "--json"]), None);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let listed: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(listed[0]["id"], "ringcentral");
    let functions: Vec<&str> =
        listed[0]["functions"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    contract::assert_lists_the_table("integrations:list --json", &functions);
    assert_eq!(listed[0]["accounts"], json!(["default"]));

    let docs = run(kosmo_on(&sim, plugins.path()).args(["integrations:docs", "ringcentral.send_sms"]), None);
    assert_eq!(docs.code, 0);
    assert!(docs.stdout.contains("app.integrations.ringcentral.send_sms") && docs.stdout.contains("Write"));

    let schema = run(kosmo_on(&sim, plugins.path()).args(["integrations:schema", "ringcentral.get_message"]), None);
    let schema: Value = serde_json::from_str(&schema.stdout).unwrap();
    assert_eq!(schema["required"], json!(["messageId"]));
    assert_eq!(schema["additionalProperties"], false);

    let misspelt = run(kosmo_on(&sim, plugins.path()).args(["integrations:schema", "ringcentral.get_mesage"]), None);
    assert_eq!(misspelt.code, 1);
    assert!(misspelt.stderr.contains("Did you mean 'get_message'?"), "{}", misspelt.stderr);

    let call = run(
        kosmo_on(&sim, plugins.path()).args([
            "integrations:call",
            "ringcentral.list_messages",
            r#"{"perPage": 2}"#,
            "--json",
        ]),
        None,
    );
    assert_eq!(call.code, 0, "{}", call.stderr);
    let envelope: Value = serde_json::from_str(&call.stdout).unwrap();
    assert_eq!(envelope["success"], true);
    assert_eq!(envelope["function"], "ringcentral.list_messages");
    assert_eq!(envelope["data"]["records"].as_array().unwrap().len(), 2);
    assert_eq!(envelope["meta"]["operation"], "read");
    assert_eq!(envelope["meta"]["account"], "default");

    let sms = r#"{"from": "+16505550101", "to": "+16505559876", "text": "from the shell"}"#;
    let refused =
        run(kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.send_sms", sms, "--json"]), None);
    assert_eq!(refused.code, 1);
    assert!(sim.requests_to("POST", "/sms").is_empty());
    let forced = run(
        kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.send_sms", sms, "--json", "--force"]),
        None,
    );
    let envelope: Value = serde_json::from_str(&forced.stdout).unwrap();
    assert_eq!(envelope["success"], true, "{}", forced.stdout);
    assert_eq!(envelope["meta"]["permission_bypassed"], true);
    assert_eq!(sim.requests_to("POST", "/sms").len(), 1);

    // --dry-run: permission, account and the plugin's own validation, nothing sent.
    let before = sim.requests().len();
    let dry = run(
        kosmo_on(&sim, plugins.path()).args([
            "integrations:call",
            "ringcentral.send_sms",
            sms,
            "--json",
            "--force",
            "--dry-run",
        ]),
        None,
    );
    let envelope: Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(envelope["success"], true, "{}", dry.stdout);
    assert_eq!(envelope["data"]["dry_run"], true);
    assert_eq!(envelope["data"]["sent"], false);
    assert_eq!(envelope["data"]["request"]["method"], "POST", "the request the plugin built: {envelope:#}");
    assert_eq!(envelope["meta"]["dry_run"], true);
    let invalid = r#"{"from": "+16505550101", "to": "+16505559876", "text": ""}"#;
    let dry_invalid = run(
        kosmo_on(&sim, plugins.path()).args([
            "integrations:call",
            "ringcentral.send_sms",
            invalid,
            "--force",
            "--dry-run",
        ]),
        None,
    );
    assert_eq!(dry_invalid.code, 1);
    assert!(dry_invalid.stderr.contains("invalid arguments"), "{}", dry_invalid.stderr);
    let dry_unforced =
        run(kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.send_sms", sms, "--dry-run"]), None);
    assert_eq!(dry_unforced.code, 0, "a preview needs no write permission: {}", dry_unforced.stderr);
    assert_eq!(sim.requests().len(), before, "a dry run sends nothing");

    let bad_json =
        run(kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.list_messages", "{nope"]), None);
    assert_eq!(bad_json.code, 2);
}

#[test]
fn the_repl_keeps_one_state_for_the_session() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let run = run(
        kosmo(plugins.path()).args(["integrations:lua", "--repl"]),
        Some("x = 41\nprint(x)\nprint(1 + 1)\nerror('oops')\nprint('still here')\n:quit\nprint('after quit')\n"),
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("lua> "), "{}", run.stdout);
    assert!(run.stdout.contains("41\n"), "x is kept for the next line: {}", run.stdout);
    assert!(run.stdout.contains("2\n") && run.stdout.contains("still here"));
    assert!(!run.stdout.contains("after quit"));
    assert!(run.stderr.contains("repl:1: oops"), "{}", run.stderr);
}
