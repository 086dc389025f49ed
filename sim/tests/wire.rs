//! Auth, response headers, the request log and the process itself.

mod common;

use common::{ME, Sim, TOKEN};
use serde_json::json;

#[test]
fn prints_listening_line_and_answers_health() {
    let sim = Sim::start();
    assert!(sim.base.starts_with("http://127.0.0.1:"), "{}", sim.base);
    let health = sim.send("GET", "/__sim/health", None, None);
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({ "status": "ok" }));
}

#[test]
fn missing_token_is_agw_401_without_rate_headers() {
    let sim = Sim::start();
    let reply = sim.send("GET", ME, None, None);
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.json(),
        json!({
            "errorCode": "AGW-401",
            "message": "Authorization header is not specified",
            "errors": [{ "errorCode": "AGW-401", "message": "Authorization header is not specified" }]
        })
    );
    assert!(reply.header("rcrequestid").is_some());
    assert!(reply.header("x-rate-limit-group").is_none());
}

#[test]
fn unknown_token_is_token_invalid() {
    let sim = Sim::start();
    let reply = sim.send("GET", ME, Some("not-a-token"), None);
    assert_eq!(reply.status, 401);
    let body = reply.json();
    assert_eq!(body["errorCode"], "TokenInvalid");
    assert_eq!(body["message"], "OAuth token is invalid");
    assert_eq!(body["errors"][0]["errorCode"], "OAU-149");
}

#[test]
fn non_bearer_scheme_is_agw_402() {
    let sim = Sim::start();
    let reply = sim.exchange("GET", ME, Some("Basic Y2xpZW50OnNlY3JldA=="), None);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error_code(), "AGW-402");
}

#[test]
fn repeated_token_flag_accepts_each_token_only() {
    let sim = Sim::with_args(&["--token", "work-token", "--token", "support-token"]);
    assert_eq!(sim.send("GET", ME, Some("work-token"), None).status, 200);
    assert_eq!(sim.send("GET", ME, Some("support-token"), None).status, 200);
    assert_eq!(sim.send("GET", ME, Some(TOKEN), None).status, 401);
}

#[test]
fn responses_carry_group_headers_and_unique_request_ids() {
    let sim = Sim::start();
    let first = sim.get(ME);
    let second = sim.get(ME);
    assert_eq!(first.header("x-rate-limit-group"), Some("light"));
    assert_eq!(first.header("x-rate-limit-limit"), Some("50"));
    assert_eq!(first.header("x-rate-limit-remaining"), Some("50"));
    assert_eq!(first.header("x-rate-limit-window"), Some("60"));
    let (a, b) = (first.header("rcrequestid").unwrap(), second.header("rcrequestid").unwrap());
    assert_ne!(a, b);
    assert_eq!(a.len(), 36, "uuid-shaped: {a}");

    let sms = sim.post(&format!("{ME}/sms"), &json!({}));
    assert_eq!(sms.header("x-rate-limit-group"), Some("medium"));
    assert_eq!(sms.header("x-rate-limit-limit"), Some("40"));
}

#[test]
fn request_log_records_what_reached_the_wire() {
    let sim = Sim::start();
    sim.get(&format!("{ME}/message-store?messageType=SMS&messageType=Fax"));
    let body =
        json!({ "from": { "phoneNumber": "+16505550101" }, "to": [{ "phoneNumber": "+14155550123" }], "text": "hi" });
    sim.post(&format!("{ME}/sms"), &body);
    sim.send("GET", "/__sim/health", None, None);

    let log = sim.requests();
    assert_eq!(log.len(), 2, "only /restapi requests are recorded: {log:?}");
    assert_eq!(log[0]["method"], "GET");
    assert_eq!(log[0]["path"], "/restapi/v1.0/account/~/extension/~/message-store");
    assert_eq!(log[0]["query"], "messageType=SMS&messageType=Fax");
    assert_eq!(log[0]["headers"]["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(log[0]["body"], "");
    assert_eq!(log[1]["method"], "POST");
    assert_eq!(log[1]["headers"]["content-type"], "application/json");
    assert_eq!(serde_json::from_str::<serde_json::Value>(log[1]["body"].as_str().unwrap()).unwrap(), body);
    assert!(log[0]["requestId"].is_string());

    assert_eq!(sim.send("DELETE", "/__sim/requests", None, None).status, 204);
    assert!(sim.requests().is_empty());
}

#[test]
fn unknown_path_and_wrong_method_are_ringcentral_errors() {
    let sim = Sim::start();
    let unknown = sim.get("/restapi/v1.0/account/~/no-such-thing");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "CMN-120");
    assert!(unknown.header("rcrequestid").is_some());

    let wrong_method = sim.send("PUT", ME, Some(TOKEN), Some("{}"));
    assert_eq!(wrong_method.status, 405);
    assert!(wrong_method.json()["errors"][0]["errorCode"].is_string());
}

#[test]
fn exits_when_stdin_closes() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ringcentral-sim"))
        .args(["--exit-on-stdin-eof"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    drop(child.stdin.take());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "simulator outlived its stdin");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn refuses_non_loopback_address() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ringcentral-sim"))
        .args(["--addr", "0.0.0.0:0"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("non-loopback"));
}
