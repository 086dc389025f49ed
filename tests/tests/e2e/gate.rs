//! The HTTP gate against a hostile plugin (tests/plugins/hostile) that claims
//! the `ringcentral` id: what it may reach, what it may set, and that the
//! credential never crosses into it.

use kosmo_harness::*;
use serde_json::Value;

/// A token no test input contains, so finding it anywhere means it leaked.
const SECRET: &str = "secret-token-3f9a1c77e2";

fn hostile_on(sim: &Sim, plugins: &std::path::Path) -> std::process::Command {
    let mut command = kosmo(plugins);
    command.env("RC_SERVER_URL", &sim.url).env("RC_ACCESS_TOKEN", SECRET).env("KOSMO_ALLOW_LOOPBACK_SERVER", "1");
    command
}

fn fetch_script(url: &str, headers: &str) -> String {
    format!("return app.integrations.ringcentral.fetch({{url = {url:?}, headers = {headers}}})")
}

/// The hostile plugin's report of one fetch.
fn fetch_report(sim: &Sim, plugins: &std::path::Path, url: &str, headers: &str) -> (Value, Run) {
    let run = lua_json(&mut hostile_on(sim, plugins), &fetch_script(url, headers), &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}", run.stdout);
    (envelope["result"][0]["report"].clone(), run)
}

#[test]
fn requests_to_origins_other_than_the_accounts_server_are_denied() {
    let sim = Sim::with_args(&["--token", SECRET]);
    let bystander = Sim::with_args(&["--token", SECRET]);
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let denied = [
        "https://evil.example/steal".to_string(),
        "https://169.254.169.254/latest/meta-data/".to_string(),
        format!("{}/restapi/v1.0/account/~", bystander.url),
        format!("{}/restapi/v1.0/account/~", sim.url.replace("http://", "https://")),
        format!("{}/restapi/oauth/token", sim.url),
        format!("{}/restapi/v1.0/../oauth/token", sim.url),
        format!("http://platform.ringcentral.com@{}/restapi/v1.0/account/~", sim.url.trim_start_matches("http://")),
    ];
    for url in &denied {
        let (report, run) = fetch_report(&sim, plugins.path(), url, "{}");
        let error = report["error"].as_str().unwrap_or_default();
        assert!(error.contains("HttpRequestDenied") || report["stage"] == "authority", "{url}: {report}");
        assert!(run.stderr.contains("denied") || report["stage"] == "authority", "denials are logged: {}", run.stderr);
    }
    assert!(sim.requests().is_empty(), "nothing reached the account's server: {:?}", sim.requests());
    assert!(bystander.requests().is_empty(), "nothing reached another local server");

    // The host keeps serving normal calls afterwards.
    let (report, _) =
        fetch_report(&sim, plugins.path(), &format!("{}/restapi/v1.0/account/~/extension/~", sim.url), "{}");
    assert_eq!(report["status"], 200, "{report}");
}

#[test]
fn the_plugin_cannot_set_authorization_or_host() {
    let sim = Sim::with_args(&["--token", SECRET]);
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let url = format!("{}/restapi/v1.0/account/~/extension/~", sim.url);
    for header in ["authorization", "Authorization", "host", "cookie", "proxy-authorization"] {
        let (report, _) = fetch_report(&sim, plugins.path(), &url, &format!("{{[{header:?}] = \"Bearer stolen\"}}"));
        assert_eq!(report["stage"], "headers", "{header}: {report}");
        assert!(report["error"].as_str().unwrap().contains("Forbidden"), "{header}: {report}");
    }
    assert!(sim.requests().is_empty());
}

#[test]
fn the_token_reaches_the_server_and_never_the_plugin() {
    let sim = Sim::with_args(&["--token", SECRET]);
    let plugins = plugin_dir(&[&hostile_plugin()]);
    let script = format!(
        "local seen = {{}}
         seen.fetch = app.integrations.ringcentral.fetch({{url = {url:?}}})
         seen.environment = app.integrations.ringcentral.environment({{}})
         return seen",
        url = format!("{}/restapi/v1.0/account/~/extension/~", sim.url)
    );
    let run = lua_json(&mut hostile_on(&sim, plugins.path()), &script, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{}", run.stdout);
    let seen = &envelope["result"][0];
    assert_eq!(seen["fetch"]["report"]["status"], 200, "{seen}");

    // The server got the bearer token the host injected...
    let sent = sim.requests_to("GET", "/restapi/v1.0/account/~/extension/~");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["headers"]["authorization"], format!("Bearer {SECRET}"));
    // ...and everything the plugin saw (context, arguments, response headers and
    // body, environment, files, sockets) holds no trace of it.
    let everything = seen.to_string();
    assert!(!everything.contains(SECRET), "the token leaked into the plugin: {everything}");
    assert!(!everything.to_lowercase().contains("authorization"), "{everything}");

    let environment = &seen["environment"]["report"];
    assert_eq!(environment["env"], serde_json::json!([]), "no environment: {environment}");
    assert_eq!(environment["args"], serde_json::json!([]), "no arguments: {environment}");
    for file in environment["files"].as_array().unwrap() {
        assert!(!file.as_str().unwrap().contains("read"), "no files: {file}");
    }
    assert_ne!(environment["tcp"], "connected", "no sockets");
}

/// Defence in depth: the real plugin refuses, before sending anything, the
/// IDs and paths the gate would deny (found by the fuzz target in plugin/fuzz).
#[test]
fn the_real_plugin_refuses_what_the_gate_would_deny() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let cases = [
        ("delete_message({message_id = '.'})", "must be a single record ID"),
        ("api_get({path = '/restapi/%6fauth/token'})", "OAuth endpoints are handled by the host"),
        ("api_get({path = '/restapi//OAuth/token'})", "OAuth endpoints are handled by the host"),
        ("api_delete({path = '/restapi/v1.0/account/~/extension/~/message-store/%252e'})", "'.' and '..' segments"),
        ("api_get({path = '/restapi/v1.0/%00'})", "control character"),
    ];
    for (call, expected) in cases {
        let script = format!("return app.integrations.ringcentral.{call}");
        let run = lua_json(&mut kosmo_on(&sim, plugins.path()), &script, &["--force"]);
        let envelope = run.envelope();
        assert_eq!(envelope["success"], false, "{call}: {}", run.stdout);
        let error = envelope["error"].as_str().unwrap();
        assert!(error.contains("invalid arguments") && error.contains(expected), "{call}: {error}");
    }
    assert!(sim.requests().is_empty(), "nothing was sent: {:?}", sim.requests());
}
