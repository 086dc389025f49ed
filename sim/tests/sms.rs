//! `POST .../sms`: validation, the answer, and the message appearing in the store.

mod common;

use common::{ME, Sim};
use serde_json::{Value, json};

const SMS: &str = "/restapi/v1.0/account/~/extension/~/sms";
const LIST: &str = "/restapi/v1.0/account/~/extension/~/message-store";

fn sms(from: &str, to: &str, text: &str) -> Value {
    json!({ "from": { "phoneNumber": from }, "to": [{ "phoneNumber": to }], "text": text })
}

#[test]
fn sent_sms_is_queued_and_listed_as_outbound() {
    let sim = Sim::start();
    let before = sim.get_ok(LIST);
    let reply = sim.post(SMS, &sms("+16505550101", "+14155550123", "Hello from the simulator"));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let sent = reply.json();
    assert_eq!(sent["type"], "SMS");
    assert_eq!(sent["direction"], "Outbound");
    assert_eq!(sent["messageStatus"], "Queued");
    assert_eq!(sent["readStatus"], "Read");
    assert_eq!(sent["availability"], "Alive");
    assert_eq!(sent["subject"], "Hello from the simulator");
    assert_eq!(sent["from"]["phoneNumber"], "+16505550101");
    assert_eq!(sent["to"][0]["phoneNumber"], "+14155550123");
    assert!(sent["creationTime"].as_str().unwrap().starts_with("2025-06-01T12:0"));
    let id = sent["id"].as_u64().unwrap();
    assert!(id > before["records"][0]["id"].as_u64().unwrap());
    assert_eq!(
        sent["uri"],
        format!(
            "{}{}/message-store/{id}",
            sim.base,
            sim.get_ok(ME)["uri"].as_str().unwrap().strip_prefix(&sim.base).unwrap()
        )
    );

    let after = sim.get_ok(&format!("{LIST}?direction=Outbound&messageType=SMS"));
    assert_eq!(after["records"][0], sent);
    assert_eq!(sim.get_ok(LIST)["paging"]["totalElements"], before["paging"]["totalElements"].as_u64().unwrap() + 1);
}

#[test]
fn invalid_requests_are_refused_and_not_stored() {
    let sim = Sim::start();
    let count = || sim.get_ok(LIST)["paging"]["totalElements"].clone();
    let before = count();
    let long = "x".repeat(1001);
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (sms("+19995550100", "+14155550123", "hi"), 403, "MSG-304", Some("from")),
        (sms("+16505550100", "+14155550123", "hi"), 403, "MSG-242", Some("from")),
        (sms("+16505550109", "+14155550123", "hi"), 403, "MSG-242", Some("from")),
        (json!({ "to": [{ "phoneNumber": "+14155550123" }], "text": "hi" }), 400, "CMN-101", Some("from")),
        (json!({ "from": { "phoneNumber": "+16505550101" }, "to": [], "text": "hi" }), 400, "CMN-101", Some("to")),
        (json!({ "from": { "phoneNumber": "+16505550101" }, "text": "hi" }), 400, "CMN-101", Some("to")),
        (sms("+16505550101", "not a number", "hi"), 400, "CMN-101", Some("to")),
        (sms("+16505550101", "+14155550123", ""), 400, "CMN-101", Some("text")),
        (
            json!({ "from": { "phoneNumber": "+16505550101" }, "to": [{ "phoneNumber": "+14155550123" }] }),
            400,
            "CMN-101",
            Some("text"),
        ),
        (sms("+16505550101", "+14155550123", &long), 400, "MSG-338", Some("text")),
        (json!(["not", "an", "object"]), 400, "CMN-103", None),
        (
            json!({ "from": { "phoneNumber": "+16505550101" }, "to": [{ "phoneNumber": "+14155550123" }], "text": 5 }),
            400,
            "CMN-103",
            None,
        ),
    ];
    for (body, status, code, parameter) in cases {
        let reply = sim.post(SMS, &body);
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        let error = reply.json();
        assert_eq!(error["errorCode"], code, "{body}");
        assert_eq!(error["errors"][0]["errorCode"], code, "{body}");
        assert_eq!(error["errors"][0]["parameterName"].as_str(), parameter, "{body}");
    }
    let broken = sim.send("POST", SMS, Some(common::TOKEN), Some("{\"from\":"));
    assert_eq!(broken.status, 400);
    assert_eq!(broken.error_code(), "CMN-103");
    assert_eq!(count(), before);
}

#[test]
fn text_of_exactly_1000_characters_is_accepted() {
    let sim = Sim::start();
    let reply = sim.post(SMS, &sms("+16505550101", "+14155550123", &"y".repeat(1000)));
    assert_eq!(reply.status, 200, "{}", reply.text);
}
