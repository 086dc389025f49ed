//! `kosmo mcp:serve --http` through outside clients: the official MCP Python
//! SDK (`tests/python/mcp_http_client.py`, in its legacy 2025-11-25 mode and
//! its auto mode, which speaks 2026-07-28) lists and calls every tool of the
//! table and validates `structuredContent` against each `outputSchema`; plain
//! HTTP requests check the token (401) and the Origin rule (403). Also the
//! built-in plugin (an empty plugin directory still serves RingCentral) and a
//! 0.1.0 plugin served beside the 0.2.0 RingCentral one.

use std::path::Path;
use std::process::Command;

use kosmo_harness::mcp::McpClient;
use kosmo_harness::mcp_http::{HttpServer, HttpSession, TOKEN};
use kosmo_harness::*;
use ringcentral_core::tools::{Operation, TOOLS};
use serde_json::{Value, json};

/// `kosmo` on the simulator, with an account for the versioned plugin too, run
/// in the plugin directory (where the examples' files are read and saved).
fn http_kosmo(sim: &Sim, plugins: &Path) -> Command {
    let mut command = kosmo_on(sim, plugins);
    command.env("KOSMO_CONFIG", versioned_config(plugins, "")).current_dir(plugins);
    command
}

/// Every tool of the table with its docs example's arguments, as JSON: the
/// examples are Lua table fields, so kosmo itself turns them into JSON. Some
/// examples call a tool for an argument (a RingOut to cancel), a write among
/// them: the script may write (`--force`). Each example is evaluated on its
/// own, and one that fails fails the test naming its tool.
fn example_calls(sim: &Sim, plugins: &Path) -> Vec<(String, Value)> {
    let examples: Vec<String> =
        TOOLS.iter().map(|t| format!("  {} = function() return {{{}}} end,\n", t.name, t.example)).collect();
    let code = format!(
        "local built, failed = {{}}, {{}}\nfor name, example in pairs({{\n{}}}) do\n  \
         local ok, arguments = pcall(example)\n  \
         if ok then built[name] = arguments else failed[name] = tostring(arguments) end\nend\n\
         return built, failed",
        examples.concat()
    );
    let run = lua_json(&mut http_kosmo(sim, plugins), &code, &["--force"]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{envelope:#}");
    let failed = &envelope["result"][1];
    assert!(failed.as_object().is_none_or(|f| f.is_empty()), "examples that failed to build: {failed:#}");
    let examples = envelope["result"][0].clone();
    // Deletes last, so that no example meets a record an earlier one deleted.
    let mut calls: Vec<(String, Value)> = TOOLS
        .iter()
        .map(|t| {
            let arguments = examples[t.name].clone();
            let arguments = if arguments.as_object().is_some_and(|o| !o.is_empty()) { arguments } else { json!({}) };
            (format!("ringcentral_{}", t.name), arguments)
        })
        .collect();
    calls.sort_by_key(|(name, _)| name.contains("delete"));
    calls
}

/// Runs the Python SDK client; its JSON report.
fn python_client(url: &str, mode: &str, calls: &[(String, Value)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let calls_file = dir.path().join("calls.json");
    std::fs::write(&calls_file, serde_json::to_string(calls).unwrap()).unwrap();
    let script = tools::python_script("mcp_http_client.py");
    let mut command = Command::new(tools::python());
    command.arg(&script).arg(url).arg(mode).arg(&calls_file).env("KOSMO_MCP_TOKEN", TOKEN);
    let run = run(&mut command, None);
    assert_eq!(run.code, 0, "the Python client failed ({mode}):\n{}\n{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", run.stdout))
}

#[test]
fn the_python_sdk_lists_and_calls_every_tool_with_structured_content_in_both_protocol_eras() {
    for (mode, era) in [("legacy", "2025-11-25"), ("auto", "2026-07-28")] {
        // A simulator per mode: the examples delete records.
        let sim = Sim::start();
        let plugins = plugin_dir(&[&ringcentral_plugin()]);
        kosmo_harness::media::write_samples(plugins.path());
        let calls = example_calls(&sim, plugins.path());
        let server = HttpServer::start(http_kosmo(&sim, plugins.path()), &["--force"]);
        let report = python_client(&server.url, mode, &calls);
        assert_eq!(report["protocol_version"], era, "{mode}");

        let listed = report["tools"].as_object().unwrap();
        assert_eq!(listed.len(), TOOLS.len(), "{mode}: {:?}", listed.keys());
        for tool in TOOLS {
            let described = &listed[&format!("ringcentral_{}", tool.name)];
            assert_eq!(described["output_schema"]["type"], "object", "{mode} {}: {described}", tool.name);
            let annotations = &described["annotations"];
            let read = tool.operation == Operation::Read;
            assert_eq!(annotations["title"], tool.title, "{annotations}");
            assert_eq!(annotations["readOnlyHint"], read, "{}: {annotations}", tool.name);
            assert_eq!(annotations["destructiveHint"], tool.destructive(), "{}: {annotations}", tool.name);
            assert_eq!(annotations["idempotentHint"], tool.idempotent(), "{}: {annotations}", tool.name);
            assert_eq!(annotations["openWorldHint"], true, "{}: {annotations}", tool.name);
        }

        let results = report["calls"].as_array().unwrap();
        assert_eq!(results.len(), TOOLS.len());
        for result in results {
            assert_eq!(result["is_error"], false, "{mode}: {result}");
            assert_eq!(result["problems"], json!([]), "{mode}: structuredContent vs outputSchema: {result}");
        }
        // The calls reached RingCentral (the simulator), writes included.
        assert_eq!(sim.requests_to("POST", "/sms").len(), 1, "{mode}");
    }
}

/// A POST of `initialize` with the given headers: the status and body.
fn initialize(server: &HttpServer, headers: &[(&str, &str)]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut request = agent
        .post(&server.url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    });
    let mut response = request.send(body.to_string()).expect("the server answers");
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap_or_default())
}

#[test]
fn a_missing_or_wrong_token_gets_401_and_a_foreign_origin_403() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let server = HttpServer::start(http_kosmo(&sim, plugins.path()), &["--allow-origin", "https://app.example:443"]);
    let bearer = format!("Bearer {TOKEN}");
    let own = format!("http://127.0.0.1:{}", server.port);

    let (status, body) = initialize(&server, &[]);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("KOSMO_MCP_TOKEN"), "{body}");
    let wrong = format!("Bearer {TOKEN}x");
    for refused in [wrong.as_str(), "Bearer ", "Basic dGVzdDp0ZXN0", TOKEN] {
        assert_eq!(initialize(&server, &[("Authorization", refused)]).0, 401, "{refused}");
    }

    let (status, body) = initialize(&server, &[("Authorization", &bearer), ("Origin", "http://evil.example")]);
    assert_eq!(status, 403, "{body}");
    let rebinding = format!("http://evil.example:{}", server.port);
    assert_eq!(initialize(&server, &[("Authorization", &bearer), ("Origin", &rebinding)]).0, 403);

    for allowed in [own.as_str(), "https://app.example", "https://app.example:443"] {
        let (status, body) = initialize(&server, &[("Authorization", &bearer), ("Origin", allowed)]);
        assert_eq!(status, 200, "{allowed}: {body}");
        assert!(body.contains("\"serverInfo\""), "{body}");
    }
    // Without an Origin (not a browser), the token alone decides.
    assert_eq!(initialize(&server, &[("Authorization", &bearer)]).0, 200);
    // Nothing reached RingCentral.
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[test]
fn without_a_token_or_on_a_remote_address_the_server_refuses_to_start() {
    let plugins = plugin_dir(&[]);
    let mut without_token = kosmo(plugins.path());
    let refused = run(without_token.args(["mcp:serve", "--http", "127.0.0.1:0"]), None);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("KOSMO_MCP_TOKEN"), "{}", refused.stderr);
    assert!(refused.stdout.is_empty(), "it never listened: {}", refused.stdout);

    let mut remote = kosmo(plugins.path());
    remote.env("KOSMO_MCP_TOKEN", TOKEN);
    let refused = run(remote.args(["mcp:serve", "--http", "0.0.0.0:0"]), None);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("--allow-remote") && refused.stderr.contains("TLS"), "{}", refused.stderr);
}

#[test]
fn an_empty_plugin_directory_still_serves_the_ringcentral_tools_from_the_built_in_plugin() {
    let sim = Sim::start();
    let empty = plugin_dir(&[]);
    let (client, _) = McpClient::start(kosmo_on(&sim, empty.path()), &[]);
    let tools = client.list_tools();
    assert_eq!(tools.len(), TOOLS.len(), "{tools:?}");
    let user = client.call_tool("ringcentral_get_current_user", json!({}));
    assert_ne!(user["isError"], true, "{user}");
    assert_eq!(user["structuredContent"]["extensionNumber"], "101", "{user}");
    drop(client);

    let listed = run(kosmo_on(&sim, empty.path()).args(["integrations:list", "--json"]), None);
    let listed: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed[0]["id"], "ringcentral");
    assert_eq!(listed[0]["builtin"], true, "{listed}");
    let text = run(kosmo_on(&sim, empty.path()).arg("integrations:list"), None);
    assert!(text.stdout.contains("built into kosmo"), "{}", text.stdout);

    // A file of that id overrides it.
    let with_file = plugin_dir(&[&ringcentral_plugin()]);
    let listed = run(kosmo_on(&sim, with_file.path()).args(["integrations:list", "--json"]), None);
    let listed: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["builtin"], false, "{listed}");
    assert!(listed[0]["path"].as_str().unwrap().ends_with("ringcentral.wasm"), "{listed}");
    let inspected = run(kosmo(with_file.path()).args(["plugin:inspect"]).arg(ringcentral_plugin()), None);
    assert!(inspected.stdout.contains("built-in"), "{}", inspected.stdout);

    // So does one of another version, served in its place.
    let v1 = plugin_dir(&[&versioned_plugin("v1")]);
    let listed = run(kosmo_on(&sim, v1.path()).args(["integrations:list", "--json"]), None);
    let ids: Vec<(Value, Value)> = listed_pairs(&serde_json::from_str(&listed.stdout).unwrap(), "id", "builtin");
    assert_eq!(ids, [(json!("ringcentral"), json!(true)), (json!("versioned"), json!(false))]);
}

fn listed_pairs(listed: &Value, a: &str, b: &str) -> Vec<(Value, Value)> {
    listed.as_array().unwrap().iter().map(|p| (p[a].clone(), p[b].clone())).collect()
}

#[test]
fn a_0_1_0_plugin_and_the_0_2_0_ringcentral_plugin_both_load_and_serve() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin(), &versioned_plugin("v1")]);
    let listed = run(kosmo_on(&sim, plugins.path()).args(["integrations:list", "--json"]), None);
    let listed: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(
        listed_pairs(&listed, "id", "api_version"),
        [(json!("ringcentral"), json!("0.2.0")), (json!("versioned"), json!("0.1.0"))]
    );

    let server = HttpServer::start(http_kosmo(&sim, plugins.path()), &["--force"]);
    let calls =
        vec![("versioned_served_by".to_string(), json!({})), ("ringcentral_get_current_user".to_string(), json!({}))];
    let report = python_client(&server.url, "legacy", &calls);
    let tools = &report["tools"];
    assert!(tools["versioned_served_by"]["output_schema"].is_null(), "0.1.0 declares none: {tools}");
    // A 0.1.0 write counts as destructive and not idempotent.
    assert_eq!(tools["versioned_record_note"]["annotations"]["destructiveHint"], true, "{tools}");
    assert_eq!(tools["versioned_record_note"]["annotations"]["idempotentHint"], false, "{tools}");
    let results = report["calls"].as_array().unwrap();
    assert_eq!(results[0]["is_error"], false, "{results:?}");
    assert_eq!(results[0]["problems"], json!(["the tool has no outputSchema"]), "{results:?}");
    assert!(results[0]["text"].as_str().unwrap().contains("\"v1\""), "{results:?}");
    assert_eq!(results[1]["problems"], json!([]), "{results:?}");
}

#[test]
fn many_clients_at_once_each_get_their_own_answers() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin(), &versioned_plugin("v1")]);
    let server = HttpServer::start(http_kosmo(&sim, plugins.path()), &[]);
    let calls = vec![("ringcentral_get_current_user".to_string(), json!({}))];
    std::thread::scope(|scope| {
        // Two SDK clients, one of each era, beside eight sessions of raw requests.
        let sdk: Vec<_> = ["legacy", "auto"]
            .into_iter()
            .map(|mode| {
                let (url, calls) = (&server.url, &calls);
                scope.spawn(move || python_client(url, mode, calls))
            })
            .collect();
        let raw: Vec<_> = (0..8)
            .map(|client| {
                let server = &server;
                scope.spawn(move || {
                    let session = HttpSession::open(server);
                    for call in 0..5 {
                        // Calls held in flight for a moment overlap those of the other sessions.
                        let result = session.call_tool("versioned_served_by", json!({"hold_ms": 20}));
                        assert_eq!(result["structuredContent"], Value::Null, "0.1.0: text only: {result}");
                        let text = result["content"][0]["text"].as_str().unwrap_or_default();
                        assert!(text.contains("\"v1\""), "client {client} call {call}: {result}");
                    }
                })
            })
            .collect();
        for handle in raw {
            handle.join().unwrap();
        }
        for handle in sdk {
            let report = handle.join().unwrap();
            assert_eq!(report["calls"][0]["problems"], json!([]), "{report}");
            assert!(report["calls"][0]["text"].as_str().unwrap().contains("\"extensionNumber\""), "{report}");
        }
    });
    assert_eq!(sim.requests_to("GET", "/restapi/v1.0/account/~/extension/~").len(), 2);
}
