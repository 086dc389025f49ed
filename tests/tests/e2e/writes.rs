//! Writes an agent can be trusted with (issue 13): confirmation over MCP in
//! both protocol eras (the official Python SDK and the project's own client),
//! an exact preview, no repeated writes across processes, E.164 numbers and
//! string IDs in every schema.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kosmo_harness::mcp::{McpClient, result_text};
use kosmo_harness::*;
use ringcentral_core::tools::{Kind, Operation, TOOLS};
use serde_json::{Value, json};

const SMS_PATH: &str = "/restapi/v1.0/account/~/extension/~/sms";

fn sms(text: &str) -> Value {
    json!({"from": "+16505551234", "to": "+16505559876", "text": text})
}

/// `tests/python/<name>` run by the test tools' Python with `kosmo`'s environment.
fn python_script(name: &str, kosmo: &Command, args: &[&str]) -> Run {
    let mut python = Command::new(tools::python());
    python.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join(name)).args(args);
    for (key, value) in kosmo.get_envs() {
        match value {
            Some(value) => python.env(key, value),
            None => python.env_remove(key),
        };
    }
    run(&mut python, None)
}

fn confirm_over_python_sdk(sim: &Sim, plugins: &Path, mode: &str, answer: &str, text: &str) -> Value {
    let kosmo = kosmo_on(sim, plugins);
    let arguments = sms(text).to_string();
    let kosmo_bin = kosmo_bin();
    let run = python_script("confirm_sms.py", &kosmo, &[mode, answer, &arguments, kosmo_bin.to_str().unwrap()]);
    assert_eq!(run.code, 0, "the Python client failed:\n{}\n{}", run.stdout, run.stderr);
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn sms_sent_with(sim: &Sim, text: &str) -> usize {
    sim.requests_to("POST", "/sms")
        .iter()
        .filter(|r| {
            serde_json::from_str::<Value>(r["body"].as_str().unwrap_or("{}")).unwrap_or_default()["text"] == text
        })
        .count()
}

#[test]
fn the_python_sdk_confirms_in_both_eras_accept_sends_once_decline_and_cancel_send_nothing() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    for (mode, era) in [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28")] {
        for answer in ["accept", "decline", "cancel"] {
            let text = format!("{era} {answer}");
            let outcome = confirm_over_python_sdk(&sim, plugins.path(), mode, answer, &text);
            assert_eq!(outcome["protocol_version"], era, "{outcome:#}");
            let asked = outcome["asked"].as_array().unwrap();
            assert_eq!(asked.len(), 1, "asked once: {outcome:#}");
            let message = asked[0]["message"].as_str().unwrap();
            for shown in ["ringcentral.send_sms", "'default' account", "+16505551234", "+16505559876", &text, "POST "] {
                assert!(message.contains(shown), "the question shows {shown:?}: {message}");
            }
            let expected = if answer == "accept" { 1 } else { 0 };
            assert_eq!(sms_sent_with(&sim, &text), expected, "{mode} {answer}: {outcome:#}");
            assert_eq!(outcome["is_error"], answer != "accept", "{outcome:#}");
            if answer != "accept" {
                assert!(outcome["text"].as_str().unwrap().contains("nothing sent"), "{outcome:#}");
            }
        }
    }
    // A client without elicitation: the refusal names the three ways forward.
    let outcome = confirm_over_python_sdk(&sim, plugins.path(), "legacy", "none", "no elicitation");
    let refusal = outcome["text"].as_str().unwrap();
    assert_eq!(outcome["is_error"], true);
    for way in ["client that can confirm", "write = \"allow\"", "--force"] {
        assert!(refusal.contains(way), "{refusal}");
    }
    assert_eq!(sms_sent_with(&sim, "no elicitation"), 0);
}

#[test]
fn the_projects_own_client_confirms_over_elicitation_create() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let capabilities = json!({"elicitation": {"form": {}}});
    for (answer, text) in [("accept", "own accept"), ("decline", "own decline"), ("cancel", "own cancel")] {
        let (client, _) =
            McpClient::start_with(kosmo_on(&sim, plugins.path()), &[], "2025-11-25", capabilities.clone());
        let result = std::thread::scope(|scope| {
            let call = scope.spawn(|| client.call_tool("ringcentral_send_sms", sms(text)));
            let asked =
                client.wait_for_request("elicitation/create", Duration::from_secs(30)).expect("asked to confirm");
            assert_eq!(asked["params"]["mode"], "form", "{asked:#}");
            assert_eq!(asked["params"]["requestedSchema"]["properties"]["confirm"]["type"], "boolean", "{asked:#}");
            let reply = match answer {
                "accept" => json!({"action": "accept", "content": {"confirm": true}}),
                other => json!({"action": other}),
            };
            client.respond(&asked["id"], reply);
            call.join().unwrap()
        });
        let expected = if answer == "accept" { 1 } else { 0 };
        assert_eq!(sms_sent_with(&sim, text), expected, "{answer}: {result:#}");
        assert_eq!(result["isError"], answer != "accept", "{result:#}");
        if answer == "decline" {
            assert!(result_text(&result).contains("declined by the user, nothing sent"), "{result:#}");
        }
        client.close();
    }
}

#[test]
fn an_unanswered_confirmation_is_cancelled_after_its_timeout() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let capabilities = json!({"elicitation": {}});
    let (client, _) =
        McpClient::start_with(kosmo_on(&sim, plugins.path()), &["--confirm-timeout", "1"], "2025-11-25", capabilities);
    let result = client.call_tool("ringcentral_send_sms", sms("never answered"));
    assert_eq!(result["isError"], true, "{result:#}");
    assert!(result_text(&result).contains("nothing sent"), "{result:#}");
    assert_eq!(sms_sent_with(&sim, "never answered"), 0);
    client.close();
}

/// Arguments for every write tool; the test fails naming a write tool without them.
fn write_case(tool: &str) -> Option<Value> {
    let me = "/restapi/v1.0/account/~/extension/~";
    Some(match tool {
        "update_message" => json!({"message_id": "1234567890", "readStatus": "Read"}),
        "delete_message" => json!({"message_id": "1234567890"}),
        "send_sms" => sms("preview me"),
        "create_contact" => json!({"firstName": "Ada", "mobilePhone": "+16505550100"}),
        "update_contact" => json!({"contact_id": "620000001", "company": "Example"}),
        "delete_contact" => json!({"contact_id": "620000002"}),
        "api_post" => json!({"path": format!("{me}/address-book/contact"), "payload": {"firstName": "Grace"}}),
        "api_put" => json!({"path": format!("{me}/message-store/1234567890"), "payload": {"readStatus": "Read"}}),
        "api_delete" => json!({"path": format!("{me}/address-book/contact/620000003")}),
        // The files are the samples in the run's directory (`media::write_samples`).
        "send_fax" => json!({"to": "+16505559876", "attachments": ["invoice.pdf"], "coverPageText": "Preview"}),
        "send_mms" => {
            json!({"from": "+16505550101", "to": "+16505559876", "text": "Preview", "attachments": ["map.gif"]})
        }
        "ring_out" => json!({"from": "+16505551234", "to": "+16505559876", "playPrompt": true}),
        // The call ring_out's case placed (the simulator's first RingOut ID).
        "cancel_ring_out" => json!({"ringout_id": "8800000001"}),
        _ => return None,
    })
}

#[test]
fn the_preview_of_every_write_tool_is_the_request_a_real_run_sends() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    kosmo_harness::media::write_samples(plugins.path());
    // Run where the sample files are: the host reads attachments from the working directory.
    let kosmo = || {
        let mut command = kosmo_on(&sim, plugins.path());
        command.current_dir(plugins.path());
        command
    };
    for tool in TOOLS.iter().filter(|t| t.operation == Operation::Write) {
        let arguments =
            write_case(tool.name).unwrap_or_else(|| panic!("no preview case for the write tool {}", tool.name));
        let function = format!("ringcentral.{}", tool.name);
        let before = sim.requests().len();
        // No --force: a preview needs no write permission.
        let preview =
            run(kosmo().args(["integrations:call", &function, &arguments.to_string(), "--dry-run", "--json"]), None);
        let envelope = preview.envelope();
        assert_eq!(envelope["success"], true, "{}: {}\n{}", tool.name, preview.stdout, preview.stderr);
        assert_eq!(sim.requests().len(), before, "{}: a preview sends nothing", tool.name);
        let previewed = envelope["data"]["request"].clone();
        assert_eq!(envelope["data"]["requests"].as_array().map(Vec::len), Some(1), "{}: {envelope:#}", tool.name);

        let real = run(kosmo().args(["integrations:call", &function, &arguments.to_string(), "--force"]), None);
        let sent = sim.requests();
        let sent = &sent[before..];
        assert_eq!(sent.len(), 1, "{}: {}", tool.name, real.stderr);
        let wire = &sent[0];
        assert_eq!(previewed["method"], wire["method"], "{}", tool.name);
        let query = wire["query"].as_str().unwrap_or_default();
        let url = format!(
            "{}{}{}",
            sim.url,
            wire["path"].as_str().unwrap(),
            if query.is_empty() { String::new() } else { format!("?{query}") }
        );
        assert_eq!(previewed["url"], url, "{}", tool.name);
        let wire_body = wire["body"].as_str().unwrap_or_default();
        // JSON, or the text of another body (a multipart form), as the preview shows it.
        let wire_body: Value = match wire_body {
            "" => Value::Null,
            text => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
        };
        assert_eq!(previewed["body"], wire_body, "{}", tool.name);
        let headers = previewed["headers"].as_object().unwrap();
        assert!(!headers.is_empty() && !headers.contains_key("authorization"), "{}: {previewed:#}", tool.name);
        for (name, value) in headers {
            assert_eq!(&wire["headers"][name], value, "{}: header {name}", tool.name);
        }
    }
}

#[test]
fn a_preview_prints_the_request_and_deny_still_refuses() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let arguments = sms("text mode").to_string();
    let preview = run(
        kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.send_sms", &arguments, "--dry-run"]),
        None,
    );
    assert_eq!(preview.code, 0, "{}", preview.stderr);
    assert!(preview.stdout.contains(&format!("POST {}{SMS_PATH}", sim.url)), "{}", preview.stdout);
    assert!(preview.stdout.contains("content-type: application/json"), "{}", preview.stdout);
    assert!(preview.stdout.contains("\"text mode\""), "{}", preview.stdout);
    let config = plugins.path().join("deny.toml");
    std::fs::write(&config, "[integrations.ringcentral.permissions]\nwrite = \"deny\"\n").unwrap();
    let denied = run(
        kosmo_on(&sim, plugins.path()).env("KOSMO_CONFIG", &config).args([
            "integrations:call",
            "ringcentral.send_sms",
            &arguments,
            "--dry-run",
        ]),
        None,
    );
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("denied by policy"), "{}", denied.stderr);
    assert!(sim.requests().is_empty(), "nothing sent");
    // Lua's --dry-run: every call returns its preview.
    let lua = lua_json(
        &mut kosmo_on(&sim, plugins.path()),
        r#"return app.integrations.ringcentral.send_sms({from = "+16505551234", to = "+16505559876", text = "lua"}).request.method"#,
        &["--dry-run"],
    );
    assert_eq!(lua.envelope()["result"], json!(["POST"]), "{}", lua.stdout);
    assert!(sim.requests().is_empty(), "nothing sent");
}

#[test]
fn two_identical_sms_from_two_processes_send_one_and_a_repeat_is_allowed_when_asked() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let arguments = sms("only once").to_string();
    let call = || {
        let mut command = kosmo_on(&sim, plugins.path());
        command.args(["integrations:call", "ringcentral.send_sms", &arguments, "--force"]);
        command
    };
    let (mut first, mut second) = (call(), call());
    let (first, second) = (spawn(&mut first, None), spawn(&mut second, None));
    let runs = [first.finish(), second.finish()];
    assert_eq!(sms_sent_with(&sim, "only once"), 1, "{:?}", runs.iter().map(|r| &r.stderr).collect::<Vec<_>>());
    let refused: Vec<&Run> = runs.iter().filter(|r| r.code != 0).collect();
    assert_eq!(refused.len(), 1);
    let message = &refused[0].stderr;
    assert!(message.contains("not sent again") && message.contains("--allow-repeat"), "{message}");
    // Once it is in, the refusal says what the first one returned.
    let third = run(&mut call(), None);
    assert!(third.stderr.contains("returned id "), "{}", third.stderr);
    let repeat = run(call().arg("--allow-repeat"), None);
    assert_eq!(repeat.code, 0, "{}", repeat.stderr);
    assert_eq!(sms_sent_with(&sim, "only once"), 2);

    // The audit log: JSON lines, 0600, one per decision, no token.
    let log = plugins.path().join(".local/state/kosmo/audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    let decisions: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["decision"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(decisions.iter().filter(|d| *d == "sent").count(), 2, "{decisions:?}");
    assert_eq!(decisions.iter().filter(|d| *d == "repeat_refused").count(), 2, "{decisions:?}");
    assert!(!text.contains(SIM_TOKEN));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o600);
    let journal = std::fs::read_dir(plugins.path().join("cache/kosmo/journal")).unwrap();
    for entry in journal {
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn a_number_without_country_code_takes_the_home_country_and_never_goes_out_as_plus_national_digits() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let arguments = json!({"from": "+16505551234", "to": "650-555-9876", "text": "national"}).to_string();
    let sent = run(
        kosmo_on(&sim, plugins.path()).args(["integrations:call", "ringcentral.send_sms", &arguments, "--force"]),
        None,
    );
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let posts = sim.requests_to("POST", "/sms");
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_str(posts[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["to"], json!([{"phoneNumber": "+16505559876"}]));
    assert!(!posts[0]["body"].as_str().unwrap().contains("+6505559876"));
    assert_eq!(sim.requests_to("GET", "/extension/~").len(), 1, "the home country is looked up once");
    // The call log filter takes digits: completed the same way.
    let filtered = run(
        kosmo_on(&sim, plugins.path()).args([
            "integrations:call",
            "ringcentral.list_calls",
            r#"{"phoneNumber": "(650) 555-9876"}"#,
        ]),
        None,
    );
    assert_eq!(filtered.code, 0, "{}", filtered.stderr);
    let log = sim.requests_to("GET", "/call-log");
    assert!(log[0]["query"].as_str().unwrap().contains("phoneNumber=16505559876"), "{:#}", log[0]);
}

#[test]
fn every_id_parameter_is_a_string_in_every_schema_and_numbers_still_work_from_scripts() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let (client, _) = McpClient::start(kosmo_on(&sim, plugins.path()), &[]);
    let listed = client.list_tools();
    let mut ids = 0;
    for tool in TOOLS {
        let schema = run(
            kosmo_on(&sim, plugins.path()).args(["integrations:schema", &format!("ringcentral.{}", tool.name)]),
            None,
        );
        let schema: Value =
            serde_json::from_str(&schema.stdout).unwrap_or_else(|e| panic!("{}: {e}: {}", tool.name, schema.stdout));
        let schema = if schema.get("properties").is_some() { schema } else { schema["input_schema"].clone() };
        let mcp = listed.iter().find(|t| t["name"] == format!("ringcentral_{}", tool.name)).unwrap();
        for param in tool.params.iter().filter(|p| p.kind == Kind::Id) {
            ids += 1;
            assert_eq!(
                schema["properties"][param.name]["type"], "string",
                "integrations:schema {}.{}",
                tool.name, param.name
            );
            assert_eq!(
                mcp["inputSchema"]["properties"][param.name]["type"], "string",
                "MCP {}.{}",
                tool.name, param.name
            );
        }
    }
    assert!(ids >= 6, "the table has ID parameters ({ids})");
    client.close();
    let lua = lua_json(
        &mut kosmo_on(&sim, plugins.path()),
        "return app.integrations.ringcentral.get_contact({contact_id = 620000001}).id",
        &[],
    );
    assert!(lua.envelope()["error"].is_null(), "{}", lua.stdout);
}
