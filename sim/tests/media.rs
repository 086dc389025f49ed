//! Message sync with tokens, `/__sim/inbound`, attachment and recording
//! content, fax and MMS as multipart forms, RingOut sessions.

mod common;

use common::{ME, Sim, TOKEN};
use serde_json::{Value, json};
use ureq::Agent;
use ureq::http::Request;

/// A request with any body and content type; the answer's status, content type and bytes.
fn raw(sim: &Sim, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String, Vec<u8>) {
    let agent: Agent = Agent::config_builder().http_status_as_error(false).build().into();
    let request = Request::builder()
        .method(method)
        .uri(format!("{}{path}", sim.base))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Content-Type", content_type)
        .body(body)
        .unwrap();
    let mut response = agent.run(request).unwrap();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (response.status().as_u16(), content_type, response.body_mut().read_to_vec().unwrap())
}

fn form(parts: &[(&str, Option<(&str, &str)>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(b"--XyZ\r\n");
        match file {
            Some((filename, content_type)) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    body
}

const FORM: &str = "multipart/form-data; boundary=XyZ";

#[test]
fn an_incremental_sync_returns_exactly_what_arrived_after_the_full_one() {
    let sim = Sim::start();
    let full = sim.get_ok(&format!("{ME}/message-sync?syncType=FSync&messageType=SMS&recordCount=3"));
    assert_eq!(full["records"].as_array().unwrap().len(), 3);
    assert!(full["records"].as_array().unwrap().iter().all(|r| r["type"] == "SMS"));
    assert_eq!(full["syncInfo"]["syncType"], "FSync");
    let token = full["syncInfo"]["syncToken"].as_str().unwrap().to_owned();

    let none = sim.get_ok(&format!("{ME}/message-sync?syncType=ISync&syncToken={token}"));
    assert_eq!(none["records"], json!([]), "nothing new yet");

    let reply = sim.send(
        "POST",
        "/__sim/inbound",
        None,
        Some(r#"{"type": "SMS", "from": "+16505559876", "text": "Yes, 3 pm works"}"#),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let delivered = reply.json();
    let new = sim.get_ok(&format!("{ME}/message-sync?syncType=ISync&syncToken={token}"));
    let records = new["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{new:#}");
    assert_eq!(records[0]["id"], delivered["id"]);
    assert_eq!(records[0]["direction"], "Inbound");
    assert_eq!(records[0]["from"]["phoneNumber"], "+16505559876");
    assert_eq!(records[0]["subject"], "Yes, 3 pm works");
    assert_eq!(records[0]["readStatus"], "Unread");
    let next = new["syncInfo"]["syncToken"].as_str().unwrap();
    assert_eq!(sim.get_ok(&format!("{ME}/message-sync?syncType=ISync&syncToken={next}"))["records"], json!([]));
    // The inbound text is also in the message store, and its text attachment has the text.
    let stored = sim.get_ok(&format!("{ME}/message-store/{}", delivered["id"]));
    let attachment = &stored["attachments"][0];
    let (status, content_type, bytes) = raw(
        &sim,
        "GET",
        &format!("{ME}/message-store/{}/content/{}", stored["id"], attachment["id"]),
        "text/plain",
        vec![],
    );
    assert_eq!((status, content_type.as_str(), bytes.as_slice()), (200, "text/plain", b"Yes, 3 pm works".as_slice()));

    assert_eq!(sim.get(&format!("{ME}/message-sync?syncType=ISync")).error_code(), "CMN-101");
    assert_eq!(sim.get(&format!("{ME}/message-sync?syncType=ISync&syncToken=bogus")).error_code(), "CMN-101");
    for bad in
        [r#"{"type": "Fax", "from": "+16505559876", "text": "x"}"#, r#"{"type": "SMS", "from": "555", "text": "x"}"#]
    {
        assert_eq!(sim.send("POST", "/__sim/inbound", None, Some(bad)).status, 400, "{bad}");
    }
}

#[test]
fn a_voicemail_has_audio_and_a_recording_has_its_content() {
    let sim = Sim::start();
    let list = sim.get_ok(&format!("{ME}/message-store?messageType=VoiceMail&dateFrom=2000-01-01T00:00:00Z&perPage=1"));
    let voicemail = &list["records"][0];
    let attachment = &voicemail["attachments"][0];
    assert_eq!(attachment["contentType"], "audio/mpeg");
    let (status, content_type, bytes) = raw(
        &sim,
        "GET",
        &format!("{ME}/message-store/{}/content/{}", voicemail["id"], attachment["id"]),
        "x/y",
        vec![],
    );
    assert_eq!((status, content_type.as_str()), (200, "audio/mpeg"));
    assert!(bytes.starts_with(b"ID3") && bytes.len() > 1000);
    let (status, _, _) = raw(&sim, "GET", &format!("{ME}/message-store/{}/content/1", voicemail["id"]), "x/y", vec![]);
    assert_eq!(status, 404);

    let calls = sim.get_ok(&format!("{ME}/call-log?dateFrom=2000-01-01T00:00:00Z&perPage=1000"));
    let recording = calls["records"].as_array().unwrap().iter().find_map(|c| c.get("recording")).unwrap().clone();
    let (status, content_type, bytes) = raw(
        &sim,
        "GET",
        &format!("/restapi/v1.0/account/~/recording/{}/content", recording["id"].as_str().unwrap()),
        "x/y",
        vec![],
    );
    assert_eq!((status, content_type.as_str()), (200, "audio/mpeg"));
    assert!(bytes.starts_with(b"ID3"));
    assert_eq!(raw(&sim, "GET", "/restapi/v1.0/account/~/recording/1/content", "x/y", vec![]).0, 404);
}

#[test]
fn fax_and_mms_are_stored_as_outbound_messages_with_their_files() {
    let sim = Sim::start();
    let pdf = b"%PDF-1.4 one page\r\n\xff".as_slice();
    let body = form(&[
        ("to", None, br#"[{"phoneNumber": "+16505559876", "name": "Ada"}]"#),
        ("faxResolution", None, b"Low"),
        ("coverPageText", None, b"Invoice"),
        ("attachment", Some(("invoice.pdf", "application/pdf")), pdf),
    ]);
    let (status, _, answer) = raw(&sim, "POST", &format!("{ME}/fax"), FORM, body);
    let fax: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(status, 200, "{fax:#}");
    assert_eq!(
        (fax["type"].as_str(), fax["direction"].as_str(), fax["faxResolution"].as_str()),
        (Some("Fax"), Some("Outbound"), Some("Low"))
    );
    assert_eq!(fax["to"][0]["phoneNumber"], "+16505559876");
    assert_eq!(fax["attachments"][0]["contentType"], "application/pdf");
    let content = format!("{ME}/message-store/{}/content/{}", fax["id"], fax["attachments"][0]["id"]);
    assert_eq!(raw(&sim, "GET", &content, "x/y", vec![]).2, pdf, "the uploaded bytes, exactly");

    let gif = b"GIF89a\x01\x00\x01\x00".as_slice();
    let body = form(&[
        ("from", None, br#"{"phoneNumber": "+16505550101"}"#),
        ("to", None, br#"[{"phoneNumber": "+16505559876"}]"#),
        ("text", None, b"The map"),
        ("attachments", Some(("map.gif", "image/gif")), gif),
    ]);
    let (status, _, answer) = raw(&sim, "POST", &format!("{ME}/mms"), FORM, body);
    let mms: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(status, 200, "{mms:#}");
    assert_eq!((mms["type"].as_str(), mms["subject"].as_str()), (Some("SMS"), Some("The map")));
    assert_eq!(mms["attachments"][0]["contentType"], "image/gif");
    let content = format!("{ME}/message-store/{}/content/{}", mms["id"], mms["attachments"][0]["id"]);
    assert_eq!(raw(&sim, "GET", &content, "x/y", vec![]).2, gif);

    // No file, a number without MMS, not a form.
    let no_file = form(&[("to", None, br#"[{"phoneNumber": "+16505559876"}]"#)]);
    assert_eq!(raw(&sim, "POST", &format!("{ME}/fax"), FORM, no_file).0, 400);
    let sms_only = form(&[
        ("from", None, br#"{"phoneNumber": "+16505551234"}"#),
        ("to", None, br#"[{"phoneNumber": "+16505559876"}]"#),
        ("attachments", Some(("map.gif", "image/gif")), gif),
    ]);
    assert_eq!(raw(&sim, "POST", &format!("{ME}/mms"), FORM, sms_only).0, 403);
    assert_eq!(raw(&sim, "POST", &format!("{ME}/fax"), "application/json", b"{}".to_vec()).0, 415);
    let (status, _, _) = raw(&sim, "POST", &format!("{ME}/fax"), FORM, b"--XyZ\r\nbroken".to_vec());
    assert_eq!(status, 400);
}

#[test]
fn a_ring_out_has_a_status_until_it_is_cancelled() {
    let sim = Sim::start();
    let reply = sim.post(
        &format!("{ME}/ring-out"),
        &json!({"from": {"phoneNumber": "+16505551234"}, "to": {"phoneNumber": "+16505559876"}, "playPrompt": false}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let call = reply.json();
    let id = call["id"].as_str().unwrap();
    assert_eq!(call["status"]["callStatus"], "InProgress");
    assert_eq!(sim.get_ok(&format!("{ME}/ring-out/{id}"))["id"], id);
    assert_eq!(sim.send("DELETE", &format!("{ME}/ring-out/{id}"), Some(TOKEN), None).status, 204);
    assert_eq!(sim.get(&format!("{ME}/ring-out/{id}")).status, 404);
    assert_eq!(sim.send("DELETE", &format!("{ME}/ring-out/{id}"), Some(TOKEN), None).status, 404);
    assert_eq!(sim.post(&format!("{ME}/ring-out"), &json!({"from": {"phoneNumber": "+16505551234"}})).status, 400);
}
