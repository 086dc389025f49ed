//! One call end to end: Lua script → kosmo → plugin in wasmtime → gate →
//! simulator over loopback HTTP, and back into the JSON envelope.

use kosmo_harness::*;
use serde_json::Value;

fn workflow() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/workflow.lua")
}

#[test]
fn the_workflow_lists_real_messages_through_every_layer() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let mut command = kosmo_on(&sim, plugins.path());
    command.arg("integrations:lua").arg(workflow()).arg("--json");
    let run = run(&mut command, None);
    let envelope = run.envelope();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(envelope["success"], true);
    assert_eq!(envelope["error"], Value::Null);

    // `dump(result)` printed the listed messages.
    let dumped: Value = serde_json::from_str(envelope["output"].as_str().unwrap()).expect("dump prints JSON");
    let records = dumped["records"].as_array().expect("a message list");
    assert_eq!(records.len(), 5);
    assert!(records.iter().all(|m| m["type"] == "SMS"), "{records:?}");
    assert!(
        records.iter().all(|m| m["id"].as_u64().is_some_and(|id| id > 1 << 53)),
        "IDs above 2^53 stay exact integers"
    );

    let calls = envelope["integration_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["path"], "integrations.ringcentral.list_messages");
    assert_eq!(calls[0]["status"], "ok");
    assert_eq!(envelope["meta"]["permission_bypassed"], false);

    // What reached the wire: the seed's spellings became the API's, "All" became no filter,
    // and the host's credential was attached.
    let sent = sim.requests_to("GET", "/restapi/v1.0/account/~/extension/~/message-store");
    assert_eq!(sent.len(), 1, "{sent:?}");
    let query = sent[0]["query"].as_str().unwrap();
    assert!(query.contains("messageType=SMS"), "{query}");
    assert!(query.contains("perPage=5") && query.contains("page=1") && query.contains("dateFrom="), "{query}");
    assert!(!query.contains("direction") && !query.contains("readStatus"), "{query}");
    assert_eq!(sent[0]["headers"]["authorization"], format!("Bearer {SIM_TOKEN}"));
    assert_conforms(&sim.requests());
}

#[test]
fn get_current_user_returns_the_extension() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let run = lua_json(
        &mut kosmo_on(&sim, plugins.path()),
        "local me = app.integrations.ringcentral.get_current_user({}) return me.extensionNumber, me.id",
        &[],
    );
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}", run.stdout);
    assert_eq!(envelope["result"][0], "101");
    assert!(envelope["result"][1].as_i64().is_some());
    assert_eq!(sim.requests_to("GET", "/restapi/v1.0/account/~/extension/~").len(), 1);
    assert_conforms(&sim.requests());
}

#[test]
fn send_sms_is_a_write_refused_without_force_and_sent_once_with_it() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let code = r#"return app.integrations.ringcentral.send_sms({from = "+16505550101", to = "+16505559876", text = "Hello from kosmo"}).id"#;

    let refused = lua_json(&mut kosmo_on(&sim, plugins.path()), code, &[]);
    assert_eq!(refused.code, 1);
    let envelope = refused.envelope();
    assert_eq!(envelope["success"], false);
    assert!(envelope["error"].as_str().unwrap().contains("--force"), "{}", envelope["error"]);
    assert!(sim.requests_to("POST", "/sms").is_empty(), "a refused call sends nothing");

    let forced = lua_json(&mut kosmo_on(&sim, plugins.path()), code, &["--force"]);
    let envelope = forced.envelope();
    assert_eq!(envelope["success"], true, "{}", forced.stdout);
    assert_eq!(envelope["meta"]["permission_bypassed"], true);
    let sent = sim.requests_to("POST", "/restapi/v1.0/account/~/extension/~/sms");
    assert_eq!(sent.len(), 1);
    let body: Value = serde_json::from_str(sent[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"from": {"phoneNumber": "+16505550101"}, "to": [{"phoneNumber": "+16505559876"}], "text": "Hello from kosmo"})
    );

    // The sent SMS is in the message store, as Outbound.
    let id = envelope["result"][0].as_u64().unwrap();
    let listed = lua_json(
        &mut kosmo_on(&sim, plugins.path()),
        &format!("local m = app.integrations.ringcentral.get_message({{messageId = {id}}}) return m.direction, m.id"),
        &[],
    );
    let envelope = listed.envelope();
    assert_eq!(envelope["result"], serde_json::json!(["Outbound", id]), "{}", listed.stdout);
    assert_conforms(&sim.requests());
}

#[test]
fn bad_arguments_are_refused_before_anything_is_sent() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    for (code, expected) in [
        (r#"app.integrations.ringcentral.list_messages({messageType = "example_messageType"})"#, "messageType"),
        (r#"app.integrations.ringcentral.list_messages({perPage = 5000})"#, "perPage"),
        (r#"app.integrations.ringcentral.list_messages({perpage = 5})"#, "Did you mean 'perPage'"),
        (r#"app.integrations.ringcentral.get_message({messageId = "1,2"})"#, "messageId"),
        (r#"app.integrations.ringcentral.get_message({})"#, "missing required parameter 'messageId'"),
    ] {
        let run = lua_json(&mut kosmo_on(&sim, plugins.path()), code, &[]);
        let envelope = run.envelope();
        assert_eq!(envelope["success"], false, "{code}");
        let error = envelope["error"].as_str().unwrap();
        assert!(error.contains(expected), "{code}: {error}");
        assert!(error.starts_with("eval:1:"), "errors carry the script position: {error}");
    }
    assert!(sim.requests().is_empty(), "nothing was sent: {:?}", sim.requests());
}

#[test]
fn a_loopback_server_needs_the_operators_explicit_consent() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let mut command = kosmo_on(&sim, plugins.path());
    command.env_remove("KOSMO_ALLOW_LOOPBACK_SERVER");
    let run = lua_json(&mut command, "return app.integrations.ringcentral.get_current_user({})", &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false);
    assert!(envelope["error"].as_str().unwrap().contains("KOSMO_ALLOW_LOOPBACK_SERVER=1"), "{}", envelope["error"]);
    assert!(sim.requests().is_empty());
}

#[test]
fn only_ringcentral_servers_are_accepted() {
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    for server in ["https://evil.example", "http://platform.ringcentral.com", "https://platform.ringcentral.com:8443"] {
        let mut command = kosmo(plugins.path());
        command.env("RC_SERVER_URL", server).env("RC_ACCESS_TOKEN", "t").env("KOSMO_ALLOW_LOOPBACK_SERVER", "1");
        let envelope =
            lua_json(&mut command, "return app.integrations.ringcentral.get_current_user({})", &[]).envelope();
        assert_eq!(envelope["success"], false, "{server}");
        assert!(envelope["error"].as_str().unwrap().contains("RC_SERVER_URL"), "{server}: {}", envelope["error"]);
    }
}

#[test]
fn exit_codes_and_code_sources() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let no_code = run(kosmo_on(&sim, plugins.path()).arg("integrations:lua"), None);
    assert_eq!(no_code.code, 2, "{}", no_code.stderr);

    let from_stdin = run(
        kosmo_on(&sim, plugins.path()).args(["integrations:lua", "--json"]),
        Some("print('hi from stdin') return 7"),
    );
    assert_eq!(from_stdin.code, 0);
    assert_eq!(from_stdin.envelope()["output"], "hi from stdin");
    assert_eq!(from_stdin.envelope()["result"], serde_json::json!([7]));

    let failing = lua_json(&mut kosmo_on(&sim, plugins.path()), "error('boom')", &[]);
    assert_eq!(failing.code, 1);
    assert_eq!(failing.envelope()["error"], "eval:1: boom");
}
