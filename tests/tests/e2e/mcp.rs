//! `kosmo mcp:serve` through a scripted MCP client: JSON-RPC over the real
//! binary's stdio, the real plugin, the simulator over loopback HTTP.

use kosmo_harness::mcp::{McpClient, PROTOCOL_VERSION, result_json, result_text};
use kosmo_harness::*;
use ringcentral_core::tools::{Operation, TOOLS, find};
use serde_json::json;

#[test]
fn an_mcp_client_lists_every_table_tool_and_gets_the_current_user_from_the_simulator() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let (client, init) = McpClient::start(kosmo_on(&sim, plugins.path()), &[]);
    assert_eq!(init["protocolVersion"], PROTOCOL_VERSION);
    assert_eq!(init["serverInfo"]["name"], "kosmo");
    assert_eq!(init["capabilities"]["tools"]["listChanged"], true, "{init}");

    let tools = client.list_tools();
    let mut bare_names = Vec::new();
    for tool in &tools {
        let name = tool["name"].as_str().unwrap();
        let bare = name.strip_prefix("ringcentral_").unwrap_or_else(|| panic!("{name} is not namespaced"));
        bare_names.push(bare);
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(tool["description"].as_str().is_some_and(|d| !d.is_empty()), "{tool}");
        let annotations = &tool["annotations"];
        let entry = find(bare).unwrap_or_else(|| panic!("{name} is not in the tool table"));
        assert_eq!(annotations["readOnlyHint"], entry.operation == Operation::Read, "{tool}");
        assert_eq!(annotations["destructiveHint"], entry.destructive(), "{tool}");
        assert_eq!(annotations["idempotentHint"], entry.idempotent(), "{tool}");
        assert_eq!(annotations["openWorldHint"], true, "{tool}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{tool}");
    }
    contract::assert_lists_the_table("tools/list", &bare_names);
    let list_messages = tools.iter().find(|t| t["name"] == "ringcentral_list_messages").expect("list_messages");
    assert!(list_messages["inputSchema"]["properties"]["perPage"].is_object(), "{list_messages}");

    let result = client.call_tool("ringcentral_get_current_user", json!({}));
    assert_ne!(result["isError"], true, "{result}");
    let user = result_json(&result);
    assert_eq!(user["extensionNumber"], "101", "{user}");
    let sent = sim.requests_to("GET", "/restapi/v1.0/account/~/extension/~");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["headers"]["authorization"], format!("Bearer {SIM_TOKEN}"));

    let (code, log) = client.close();
    assert_eq!(code, Some(0), "the server exits cleanly when the client goes away:\n{log}");
    assert!(log.contains(&format!("{} tools from 1 plugin(s) (ringcentral", TOOLS.len())), "{log}");
}

#[test]
fn refusals_and_plugin_errors_are_tool_results_with_is_error() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let (client, _) = McpClient::start(kosmo_on(&sim, plugins.path()), &[]);

    // A write under the default `ask`: refused, and nothing is sent.
    let refused = client
        .call_tool("ringcentral_send_sms", json!({"from": "+16505550101", "to": "+16505559876", "text": "not sent"}));
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(result_text(&refused).contains("--force"), "{refused}");
    assert!(sim.requests_to("POST", "/sms").is_empty(), "a refused call sends nothing");

    // The plugin's own validation, before any request.
    let invalid = client.call_tool("ringcentral_get_message", json!({"messageId": "1,2"}));
    assert_eq!(invalid["isError"], true, "{invalid}");
    assert!(result_text(&invalid).contains("messageId"), "{invalid}");

    // An API error from the simulator keeps its status.
    let missing = client.call_tool("ringcentral_get_message", json!({"messageId": "999999"}));
    assert_eq!(missing["isError"], true, "{missing}");
    assert!(result_text(&missing).contains("HTTP 404"), "{missing}");

    let unknown = client.call_tool("ringcentral_get_curent_user", json!({}));
    assert_eq!(unknown["isError"], true, "{unknown}");
    assert!(result_text(&unknown).contains("Did you mean 'ringcentral_get_current_user'?"), "{unknown}");
}

#[test]
fn force_lets_ask_through_but_deny_holds() {
    let plugins = plugin_dir(&[]);
    std::fs::copy(versioned_plugin("v1"), plugins.path().join("versioned.wasm")).unwrap();

    let ask = versioned_config(plugins.path(), "write = \"ask\"");
    let mut command = kosmo(plugins.path());
    command.env("KOSMO_CONFIG", &ask);
    let (client, _) = McpClient::start(command, &[]);
    let refused = client.call_tool("versioned_record_note", json!({"text": "hi"}));
    assert_eq!(refused["isError"], true, "{refused}");
    drop(client);

    let mut command = kosmo(plugins.path());
    command.env("KOSMO_CONFIG", &ask);
    let (client, init) = McpClient::start(command, &["--force"]);
    assert!(init["instructions"].as_str().unwrap().contains("--force"), "{init}");
    let allowed = client.call_tool("versioned_record_note", json!({"text": "hi"}));
    assert_ne!(allowed["isError"], true, "{allowed}");
    assert_eq!(result_json(&allowed)["recorded"], "hi");
    drop(client);

    let deny = versioned_config(plugins.path(), "write = \"deny\"\nread = \"deny\"");
    let mut command = kosmo(plugins.path());
    command.env("KOSMO_CONFIG", &deny);
    let (client, _) = McpClient::start(command, &["--force"]);
    for (tool, op) in [("versioned_record_note", "write"), ("versioned_served_by", "read")] {
        let refused = client.call_tool(tool, json!({}));
        assert_eq!(refused["isError"], true, "{refused}");
        let text = result_text(&refused);
        assert!(text.contains(&format!("{op} access is denied by policy")), "{text}");
    }
}

#[test]
fn the_server_exits_when_its_client_goes_away_without_a_session() {
    // No initialize at all: stdin closes at once.
    let plugins = plugin_dir(&[]);
    let mut command = kosmo(plugins.path());
    command.arg("mcp:serve");
    let run = run(&mut command, Some(""));
    assert_ne!(run.code, -1, "it exited by itself");
    assert!(run.stdout.is_empty(), "nothing but protocol on stdout: {}", run.stdout);
}
