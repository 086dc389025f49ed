//! Reading, updating and deleting single messages.

mod common;

use common::{Sim, TOKEN};
use serde_json::{Value, json};

const LIST: &str = "/restapi/v1.0/account/~/extension/~/message-store";

fn first_id(sim: &Sim, query: &str) -> u64 {
    let body = sim.get_ok(&format!("{LIST}?dateFrom=2024-01-01T00:00:00Z&{query}"));
    body["records"][0]["id"].as_u64().expect("a matching message")
}

fn send(sim: &Sim, method: &str, id: u64, body: Option<Value>) -> common::Reply {
    let path = format!("{LIST}/{id}");
    sim.send(method, &path, Some(TOKEN), body.map(|b| b.to_string()).as_deref())
}

#[test]
fn get_returns_the_listed_record() {
    let sim = Sim::start();
    let listed = sim.get_ok(LIST)["records"][0].clone();
    let reply = sim.get(&format!("{LIST}/{}", listed["id"]));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), listed);
    assert_eq!(reply.header("x-rate-limit-group"), Some("light"));
}

#[test]
fn unknown_and_malformed_ids() {
    let sim = Sim::start();
    let unknown = sim.get(&format!("{LIST}/9007199254740993"));
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json()["errors"][0],
        json!({
            "errorCode": "CMN-102", "message": "Resource for parameter [messageId] is not found", "parameterName": "messageId"
        })
    );
    let malformed = sim.get(&format!("{LIST}/abc"));
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.json()["errors"][0]["parameterName"], "messageId");
}

#[test]
fn put_changes_read_status_only() {
    let sim = Sim::start();
    let id = first_id(&sim, "readStatus=Unread");
    let reply = send(&sim, "PUT", id, Some(json!({ "readStatus": "Read" })));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("x-rate-limit-group"), Some("medium"));
    let updated = reply.json();
    assert_eq!(updated["readStatus"], "Read");
    assert_eq!(updated["availability"], "Alive");
    assert!(updated["lastModifiedTime"].as_str() > updated["creationTime"].as_str());
    assert_eq!(sim.get_ok(&format!("{LIST}/{id}")), updated);

    for (body, code) in [
        (json!({}), "CMN-101"),
        (json!({ "readStatus": "Seen" }), "CMN-101"),
        (json!({ "readStatus": "Read", "availability": "Deleted" }), "CMN-103"),
    ] {
        let reply = send(&sim, "PUT", id, Some(body.clone()));
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.error_code(), code, "{body}");
    }
}

#[test]
fn patch_merges_named_fields_and_restores_deleted() {
    let sim = Sim::start();
    let id = first_id(&sim, "readStatus=Read&direction=Inbound");
    let unread = send(&sim, "PATCH", id, Some(json!({ "readStatus": "Unread" }))).json();
    assert_eq!(unread["readStatus"], "Unread");
    assert_eq!(unread["availability"], "Alive");

    let deleted = send(&sim, "PATCH", id, Some(json!({ "availability": "Deleted" }))).json();
    assert_eq!(deleted["availability"], "Deleted");
    assert_eq!(deleted["readStatus"], "Unread", "fields not named stay");
    let restored = send(&sim, "PATCH", id, Some(json!({ "availability": "Alive" }))).json();
    assert_eq!(restored["availability"], "Alive");

    let empty = send(&sim, "PATCH", id, Some(json!({})));
    assert_eq!(empty.status, 400);
    let bad = send(&sim, "PATCH", id, Some(json!({ "availability": "Gone" })));
    assert_eq!(bad.json()["errors"][0]["parameterName"], "availability");
}

#[test]
fn delete_moves_alive_to_deleted_then_purged() {
    let sim = Sim::start();
    let id = first_id(&sim, "messageType=SMS");
    let first = send(&sim, "DELETE", id, None);
    assert_eq!(first.status, 204);
    assert_eq!(first.text, "");
    let deleted = sim.get_ok(&format!("{LIST}/{id}"));
    assert_eq!(deleted["availability"], "Deleted");
    assert!(deleted["subject"].is_string(), "a deleted message keeps its content");
    let listed = sim.get_ok(&format!("{LIST}?dateFrom=2024-01-01T00:00:00Z&availability=Deleted"));
    assert!(common::ids(&listed).contains(&json!(id)));

    assert_eq!(send(&sim, "DELETE", id, None).status, 204);
    let purged = sim.get_ok(&format!("{LIST}/{id}"));
    assert_eq!(purged["availability"], "Purged");
    assert_eq!(purged["attachments"], json!([]));
    assert!(purged.get("subject").is_none());
    let restore = send(&sim, "PATCH", id, Some(json!({ "availability": "Alive" })));
    assert_eq!(restore.status, 400);
    assert_eq!(restore.json()["errors"][0]["parameterName"], "availability");
}

#[test]
fn delete_with_purge_skips_the_deleted_step() {
    let sim = Sim::start();
    let id = first_id(&sim, "messageType=VoiceMail");
    let reply = sim.send("DELETE", &format!("{LIST}/{id}?purge=true"), Some(TOKEN), None);
    assert_eq!(reply.status, 204);
    assert_eq!(sim.get_ok(&format!("{LIST}/{id}"))["availability"], "Purged");
    let bad = sim.send("DELETE", &format!("{LIST}/{id}?purge=maybe"), Some(TOKEN), None);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["parameterName"], "purge");
}

#[test]
fn sent_sms_can_be_read_back() {
    let sim = Sim::start();
    let sent = sim
        .post(
            "/restapi/v1.0/account/~/extension/~/sms",
            &json!({ "from": { "phoneNumber": "+16505550101" }, "to": [{ "phoneNumber": "+14155550123" }], "text": "hi" }),
        )
        .json();
    assert_eq!(sim.get_ok(&format!("{LIST}/{}", sent["id"])), sent);
}

#[test]
fn delete_without_an_id_deletes_the_whole_store() {
    let sim = Sim::start();
    let all = "dateFrom=2024-01-01T00:00:00Z";
    let faxes = sim.get_ok(&format!("{LIST}?{all}&messageType=Fax"))["paging"]["totalElements"].as_u64().unwrap();
    assert!(faxes > 0);
    let reply = sim.send("DELETE", &format!("{LIST}?type=Fax"), Some(TOKEN), None);
    assert_eq!(reply.status, 204);
    assert_eq!(sim.get_ok(&format!("{LIST}?{all}&messageType=Fax"))["paging"]["totalElements"], 0);
    let rest = sim.get_ok(&format!("{LIST}?{all}"))["paging"]["totalElements"].as_u64().unwrap();
    assert!(rest > 0, "only faxes went");

    assert_eq!(sim.send("DELETE", LIST, Some(TOKEN), None).status, 204);
    assert_eq!(sim.get_ok(&format!("{LIST}?{all}"))["paging"]["totalElements"], 0);
}
