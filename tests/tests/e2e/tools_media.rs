//! The tools beyond the seed (issue 18) through the real kosmo binary, plugin
//! and simulator: message sync and waiting for a reply, media saved by the
//! host, fax and MMS of local files as multipart forms, RingOut. Their request,
//! result and bad-input cases are listed in `tools_wire.rs`, `tools_results.rs`
//! and `tools_bad_input.rs` beside the seed's tools.

use std::time::{Duration, Instant};

use kosmo_harness::mcp::McpClient;
use kosmo_harness::media::{SAMPLE_GIF, SAMPLE_PDF};
use kosmo_harness::*;
use serde_json::{Value, json};

use crate::tools_bad_input::refused;
use crate::tools_wire::{assert_request, only, sent};

const ME: &str = "/restapi/v1.0/account/~/extension/~";
const VOICEMAIL: &str = "9007199254741620";
const RECORDING: &str = "9143748323";
const FRIEND: &str = "+16505559876";

/// `POST /__sim/inbound`: an SMS from `from` arrives.
fn inbound(sim: &Sim, from: &str, text: &str) -> Value {
    let answer = ureq::post(format!("{}/__sim/inbound", sim.url))
        .header("Content-Type", "application/json")
        .send(json!({"type": "SMS", "from": from, "text": text}).to_string())
        .expect("POST /__sim/inbound");
    serde_json::from_str(&answer.into_body().read_to_string().unwrap()).unwrap()
}

/// The bytes the simulator serves at `path`.
fn media_bytes(sim: &Sim, path: &str) -> Vec<u8> {
    ureq::get(format!("{}{path}", sim.url))
        .header("Authorization", format!("Bearer {SIM_TOKEN}"))
        .call()
        .expect("GET media")
        .into_body()
        .read_to_vec()
        .unwrap()
}

fn decode_base64(text: &str) -> Vec<u8> {
    let table = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    for chunk in text.trim_end_matches('=').as_bytes().chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, c)| n | u32::from(table(*c)) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

// Requests.

#[test]
pub(crate) fn sync_messages_sends_full_then_incremental_syncs() {
    let requests = sent(
        r#"local rc = app.integrations.ringcentral
        local full = rc.sync_messages({messageType = "SMS", recordCount = 5})
        rc.sync_messages({syncToken = full.syncInfo.syncToken, messageType = "Sms"})"#,
    );
    assert_eq!(requests.len(), 2);
    let path = format!("{ME}/message-sync");
    assert_request(&requests[0], "GET", &path, "syncType=FSync&messageType=SMS&recordCount=5", None);
    let token = requests[1]["query"].as_str().unwrap();
    assert!(token.starts_with("syncType=ISync&syncToken=") && token.ends_with("&messageType=SMS"), "{token}");
}

#[test]
pub(crate) fn wait_for_reply_syncs_incrementally_from_its_token() {
    let requests = sent(r#"app.integrations.ringcentral.wait_for_reply({syncToken = "sim-sync-1", timeout = 1})"#);
    assert_request(only(&requests), "GET", &format!("{ME}/message-sync"), "syncType=ISync&syncToken=sim-sync-1", None);
}

#[test]
pub(crate) fn get_message_content_reads_the_attachment_and_leaves_save_to_to_the_host() {
    let requests = sent(&format!(
        r#"app.integrations.ringcentral.get_message_content({{message_id = "{VOICEMAIL}", attachment_id = "{VOICEMAIL}", save_to = "vm.mp3"}})"#
    ));
    assert_request(only(&requests), "GET", &format!("{ME}/message-store/{VOICEMAIL}/content/{VOICEMAIL}"), "", None);
}

#[test]
pub(crate) fn get_call_recording_reads_the_recording_content() {
    let requests =
        sent(&format!(r#"app.integrations.ringcentral.get_call_recording({{recording_id = "{RECORDING}"}})"#));
    let path = format!("/restapi/v1.0/account/~/recording/{RECORDING}/content");
    assert_request(only(&requests), "GET", &path, "", None);
}

/// The one request's form: content type, and the body as text (files lossily).
fn form_of(request: &Value) -> (String, String) {
    let content_type = request["headers"]["content-type"].as_str().unwrap().to_string();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("a multipart form");
    (boundary.to_string(), request["body"].as_str().unwrap().to_string())
}

#[test]
pub(crate) fn send_fax_posts_one_multipart_form_with_the_file() {
    let requests = sent(
        r#"app.integrations.ringcentral.send_fax({to = "+1 650 555 9876", attachments = {"invoice.pdf"},
           faxResolution = "low", coverPageText = "Invoice"})"#,
    );
    let request = only(&requests);
    assert_eq!((request["method"].as_str(), request["path"].as_str()), (Some("POST"), Some(&*format!("{ME}/fax"))));
    let (boundary, body) = form_of(request);
    let part =
        |name: &str, rest: &str| format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{rest}");
    let pdf = String::from_utf8_lossy(SAMPLE_PDF);
    assert!(
        body.contains(&part(
            "to",
            "\r\nContent-Type: application/json\r\n\r\n[{\"phoneNumber\":\"+16505559876\"}]\r\n"
        )),
        "{body}"
    );
    assert!(
        body.contains(&part(
            "attachment",
            &format!("; filename=\"invoice.pdf\"\r\nContent-Type: application/pdf\r\n\r\n{pdf}\r\n")
        )),
        "{body}"
    );
    assert!(body.contains(&part("faxResolution", "\r\n\r\nLow\r\n")), "{body}");
    assert!(body.contains(&part("coverPageText", "\r\n\r\nInvoice\r\n")), "{body}");
    assert!(body.ends_with(&format!("--{boundary}--\r\n")), "{body}");
}

#[test]
pub(crate) fn send_mms_posts_one_multipart_form_with_the_picture() {
    let requests = sent(
        r#"app.integrations.ringcentral.send_mms({from = "+16505550101", to = "+16505559876", text = "The map", attachments = {"map.gif"}})"#,
    );
    let request = only(&requests);
    assert_eq!(request["path"], format!("{ME}/mms"));
    let (boundary, body) = form_of(request);
    assert_eq!(body.matches(&format!("--{boundary}\r\n")).count(), 4, "from, to, text, one file: {body}");
    assert!(
        body.contains("name=\"from\"\r\nContent-Type: application/json\r\n\r\n{\"phoneNumber\":\"+16505550101\"}"),
        "{body}"
    );
    assert!(
        body.contains("name=\"attachments\"; filename=\"map.gif\"\r\nContent-Type: image/gif\r\n\r\nGIF89a"),
        "{body}"
    );
}

#[test]
pub(crate) fn ring_out_posts_both_numbers() {
    let requests = sent(
        r#"app.integrations.ringcentral.ring_out({from = "+16505551234", to = "(650) 555-9876", callerId = "+16505551234", playPrompt = true})"#,
    );
    // A national number is completed with the account's home country (its extension record), never sent as is.
    assert_eq!(requests.len(), 2, "the home-country lookup, then the call: {requests:#?}");
    assert_request(&requests[0], "GET", ME, "", None);
    let body = json!({"from": {"phoneNumber": "+16505551234"}, "to": {"phoneNumber": "+16505559876"}, "callerId": {"phoneNumber": "+16505551234"}, "playPrompt": true});
    assert_request(&requests[1], "POST", &format!("{ME}/ring-out"), "", Some(body));
}

#[test]
pub(crate) fn get_ring_out_status_and_cancel_ring_out_address_one_call() {
    let requests = sent(
        r#"local rc = app.integrations.ringcentral
        local call = rc.ring_out({from = "+16505551234", to = "+16505559876"})
        rc.get_ring_out_status({ringout_id = call.id})
        rc.cancel_ring_out({ringout_id = call.id})"#,
    );
    assert_eq!(requests.len(), 3);
    assert_request(&requests[1], "GET", &format!("{ME}/ring-out/8800000001"), "", None);
    assert_request(&requests[2], "DELETE", &format!("{ME}/ring-out/8800000001"), "", None);
}

// Results.

#[test]
pub(crate) fn sync_then_inbound_then_incremental_sync_gives_exactly_the_new_message() {
    let bench = Bench::start();
    let full = bench.lua_ok(r#"return app.integrations.ringcentral.sync_messages({recordCount = 5})"#);
    assert_eq!(full["records"].as_array().unwrap().len(), 5);
    assert_eq!(full["syncInfo"]["syncType"], "FSync");
    let token = full["syncInfo"]["syncToken"].as_str().unwrap();
    let delivered = inbound(&bench.sim, FRIEND, "See you at 3");
    let incremental =
        bench.lua_ok(&format!(r#"return app.integrations.ringcentral.sync_messages({{syncToken = "{token}"}})"#));
    let records = incremental["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "exactly the new message: {incremental:#}");
    assert_eq!(records[0]["id"], delivered["id"]);
    assert!(records[0]["id"].as_u64().unwrap() > 1 << 53, "the ID stays exact");
    assert_eq!(
        (records[0]["subject"].as_str(), records[0]["direction"].as_str()),
        (Some("See you at 3"), Some("Inbound"))
    );
    assert_eq!(incremental["syncInfo"]["syncType"], "ISync");
    assert_ne!(incremental["syncInfo"]["syncToken"], token);
}

#[test]
pub(crate) fn wait_for_reply_returns_a_reply_injected_while_it_waits() {
    let bench = Bench::start();
    let running = spawn(
        bench.kosmo().args([
            "integrations:lua",
            "--json",
            "--eval",
            &format!(r#"return app.integrations.ringcentral.wait_for_reply({{from = "{FRIEND}", timeout = 25}})"#),
        ]),
        None,
    );
    // Once the wait has its token and is polling, a message from someone else, then the reply.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !bench.sim.requests().iter().any(|r| r["query"].as_str().unwrap_or_default().contains("syncType=ISync")) {
        assert!(Instant::now() < deadline, "the wait never polled: {:#?}", bench.sim.requests());
        std::thread::sleep(Duration::from_millis(50));
    }
    inbound(&bench.sim, "+16505550000", "not the one");
    let reply = inbound(&bench.sim, FRIEND, "Yes!");
    let envelope = running.finish().envelope();
    assert_eq!(envelope["success"], true, "{envelope:#}");
    let result = &envelope["result"][0];
    assert_eq!(result["timedOut"], false, "{result:#}");
    let records = result["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "only the reply from {FRIEND}: {result:#}");
    assert_eq!((records[0]["id"].clone(), records[0]["subject"].as_str()), (reply["id"].clone(), Some("Yes!")));
    assert!(result["syncToken"].as_str().is_some_and(|t| !t.is_empty()));

    // Nothing comes: the wait ends at its timeout and says so.
    let quiet = bench.lua_ok(r#"return app.integrations.ringcentral.wait_for_reply({timeout = 1})"#);
    assert_eq!((quiet["timedOut"].as_bool(), quiet["records"].as_array().map(Vec::len)), (Some(true), Some(0)));
}

#[test]
pub(crate) fn get_message_content_saves_a_voicemails_audio_where_asked() {
    let bench = Bench::start();
    let call = |extra: &str| {
        format!(
            r#"return app.integrations.ringcentral.get_message_content({{message_id = "{VOICEMAIL}", attachment_id = "{VOICEMAIL}"{extra}}})"#
        )
    };
    std::fs::create_dir(bench.plugins.path().join("calls")).unwrap();
    let saved = bench.lua_ok(&call(r#", save_to = "calls/voicemail.mp3""#));
    let served = media_bytes(&bench.sim, &format!("{ME}/message-store/{VOICEMAIL}/content/{VOICEMAIL}"));
    assert_eq!(saved, json!({"path": "calls/voicemail.mp3", "contentType": "audio/mpeg", "size": served.len()}));
    let file = bench.plugins.path().join("calls/voicemail.mp3");
    assert_eq!(std::fs::read(&file).unwrap(), served, "the file holds the audio, byte for byte");
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions()) & 0o777,
        0o644
    );

    // Not over the file unless asked; then it is replaced.
    let again = bench.lua(&call(r#", save_to = "calls/voicemail.mp3""#));
    assert_eq!(again["success"], false);
    assert!(again["error"].as_str().unwrap().contains("the file exists (pass overwrite = true"), "{again:#}");
    std::fs::write(&file, b"old").unwrap();
    bench.lua_ok(&call(r#", save_to = "calls/voicemail.mp3", overwrite = true"#));
    assert_eq!(std::fs::read(&file).unwrap(), served);

    // Without save_to the script gets the bytes as base64.
    let inline = bench.lua_ok(&call(""));
    assert_eq!(
        (inline["contentType"].as_str(), inline["size"].as_u64()),
        (Some("audio/mpeg"), Some(served.len() as u64))
    );
    assert_eq!(decode_base64(inline["contentBase64"].as_str().unwrap()), served);
}

#[test]
pub(crate) fn get_call_recording_saves_the_recording() {
    let bench = Bench::start();
    let saved = bench.lua_ok(&format!(
        r#"return app.integrations.ringcentral.get_call_recording({{recording_id = "{RECORDING}", save_to = "call.mp3"}})"#
    ));
    assert_eq!((saved["path"].as_str(), saved["contentType"].as_str()), (Some("call.mp3"), Some("audio/mpeg")));
    let bytes = std::fs::read(bench.plugins.path().join("call.mp3")).unwrap();
    assert!(bytes.starts_with(b"ID3") && saved["size"] == bytes.len());
    let missing = bench.lua(r#"return app.integrations.ringcentral.get_call_recording({recording_id = "1"})"#);
    assert!(missing["error"].as_str().unwrap().contains("CMN-102"), "{missing:#}");
}

#[test]
pub(crate) fn send_fax_of_a_local_pdf_comes_back_as_a_fax() {
    let bench = Bench::start();
    let fax = bench.lua_ok(
        r#"return app.integrations.ringcentral.send_fax({to = "+16505559876", attachments = {"invoice.pdf"}})"#,
    );
    assert_eq!((fax["type"].as_str(), fax["direction"].as_str()), (Some("Fax"), Some("Outbound")));
    assert_eq!(fax["attachments"][0]["contentType"], "application/pdf");
    assert_eq!(bench.sim.requests_to("POST", "/fax").len(), 1, "one multipart POST");
    let path = format!("{ME}/message-store/{}/content/{}", fax["id"], fax["attachments"][0]["id"]);
    assert_eq!(media_bytes(&bench.sim, &path), SAMPLE_PDF, "the simulator got the PDF byte for byte");
}

#[test]
pub(crate) fn send_mms_of_a_local_gif_sends_the_picture() {
    let bench = Bench::start();
    let mms = bench.lua_ok(
        r#"return app.integrations.ringcentral.send_mms({from = "+16505550101", to = "+16505559876", attachments = {"map.gif"}})"#,
    );
    assert_eq!((mms["type"].as_str(), mms["direction"].as_str()), (Some("SMS"), Some("Outbound")));
    assert_eq!(mms["attachments"][0]["contentType"], "image/gif");
    let path = format!("{ME}/message-store/{}/content/{}", mms["id"], mms["attachments"][0]["id"]);
    assert_eq!(media_bytes(&bench.sim, &path), SAMPLE_GIF, "binary bytes survive the form");
}

#[test]
pub(crate) fn ring_out_returns_an_id_and_a_status_until_cancelled() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local call = rc.ring_out({from = "+16505551234", to = "+16505559876"})
        local status = rc.get_ring_out_status({ringout_id = call.id})
        local cancelled = rc.cancel_ring_out({ringout_id = call.id})
        local ok, gone = pcall(rc.get_ring_out_status, {ringout_id = call.id})
        return {call = call, status = status, cancelled = cancelled, gone = tostring(gone)}"#,
    );
    assert!(result["call"]["id"].as_str().is_some_and(|id| !id.is_empty()), "{result:#}");
    assert_eq!(result["call"]["status"]["callStatus"], "InProgress");
    assert_eq!(result["status"]["id"], result["call"]["id"]);
    assert_eq!(result["cancelled"], json!({"success": true, "status": 204}));
    assert!(result["gone"].as_str().unwrap().contains("CMN-102"), "{result:#}");
}

// Bad input.

#[test]
pub(crate) fn sync_messages_refuses_bad_counts_and_types() {
    refused(
        "sync_messages",
        &[
            ("{recordCount = 0}", &["'recordCount' must be between 1 and 250, got 0"]),
            (r#"{messageType = "Email"}"#, &["'messageType' must be one of Fax, SMS, VoiceMail, Pager, All"]),
            (r#"{synctoken = "x"}"#, &["unknown parameter 'synctoken'", "Did you mean 'syncToken'?"]),
        ],
    );
}

#[test]
pub(crate) fn wait_for_reply_refuses_long_waits_and_bad_numbers() {
    refused(
        "wait_for_reply",
        &[
            ("{timeout = 26}", &["'timeout' must be between 1 and 25, got 26"]),
            (r#"{from = "someone"}"#, &["'from' must be a phone number in E.164 format"]),
        ],
    );
}

#[test]
pub(crate) fn get_message_content_refuses_missing_and_unsafe_ids() {
    refused(
        "get_message_content",
        &[
            (r#"{message_id = "1"}"#, &["missing required parameter 'attachment_id'"]),
            (r#"{message_id = "1", attachment_id = "1/2"}"#, &["'attachment_id' must be a single record ID"]),
        ],
    );
}

#[test]
pub(crate) fn get_call_recording_refuses_a_missing_id() {
    refused("get_call_recording", &[("{}", &["missing required parameter 'recording_id'"])]);
}

#[test]
pub(crate) fn send_fax_refuses_bad_numbers_and_missing_files() {
    refused(
        "send_fax",
        &[
            (r#"{to = "fax me", attachments = {"invoice.pdf"}}"#, &["'to' must be a phone number"]),
            (r#"{to = "+16505559876"}"#, &["missing required parameter 'attachments'"]),
            (
                r#"{to = "+16505559876", attachments = {"invoice.pdf"}, faxResolution = "Ultra"}"#,
                &["'faxResolution' must be one of High, Low"],
            ),
        ],
    );
}

#[test]
pub(crate) fn send_mms_refuses_a_missing_sender_and_long_text() {
    let long = "x".repeat(1001);
    refused(
        "send_mms",
        &[
            (r#"{to = "+16505559876", attachments = {"map.gif"}}"#, &["missing required parameter 'from'"]),
            (
                &format!(
                    r#"{{from = "+16505550101", to = "+16505559876", text = "{long}", attachments = {{"map.gif"}}}}"#
                ),
                &["'text' must be 1 to 1000 characters"],
            ),
        ],
    );
}

#[test]
pub(crate) fn ring_out_refuses_missing_numbers() {
    refused(
        "ring_out",
        &[
            (r#"{from = "+16505551234"}"#, &["missing required parameter 'to'"]),
            (r#"{from = "me", to = "+16505559876"}"#, &["'from' must be a phone number"]),
            (
                r#"{from = "+16505551234", to = "+16505559876", playPrompt = "yes"}"#,
                &["'playPrompt' must be a boolean"],
            ),
        ],
    );
}

#[test]
pub(crate) fn get_ring_out_status_refuses_unsafe_ids() {
    refused(
        "get_ring_out_status",
        &[("{}", &["missing required parameter 'ringout_id'"]), (r#"{ringout_id = "*"}"#, &["single record ID"])],
    );
}

#[test]
pub(crate) fn cancel_ring_out_refuses_unsafe_ids() {
    refused("cancel_ring_out", &[(r#"{ringout_id = ".."}"#, &["'ringout_id' must be a single record ID"])]);
}

#[test]
fn the_host_reads_and_writes_only_inside_the_working_directory() {
    let bench = Bench::start();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.pdf"), b"%PDF secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.pdf"), bench.plugins.path().join("link.pdf")).unwrap();
    let secret = outside.path().join("secret.pdf").display().to_string();
    let cases = [
        (
            r#"send_fax({to = "+16505559876", attachments = {"../secret.pdf"}})"#.to_string(),
            "relative path inside the working directory",
        ),
        (
            format!(r#"send_fax({{to = "+16505559876", attachments = {{"{secret}"}}}})"#),
            "relative path inside the working directory",
        ),
        (r#"send_fax({to = "+16505559876", attachments = {"link.pdf"}})"#.to_string(), "outside the working directory"),
        (r#"send_fax({to = "+16505559876", attachments = {"config"}})"#.to_string(), "not a regular file"),
        (
            r#"send_mms({from = "+16505550101", to = "+16505559876", attachments = {"nowhere.gif"}})"#.to_string(),
            "cannot open it",
        ),
        (
            format!(r#"get_call_recording({{recording_id = "{RECORDING}", save_to = "../x.mp3"}})"#),
            "relative path inside the working directory",
        ),
    ];
    std::fs::create_dir_all(bench.plugins.path().join("config")).unwrap();
    for (call, expected) in &cases {
        let envelope = bench.lua(&format!("return app.integrations.ringcentral.{call}"));
        assert_eq!(envelope["success"], false, "{call}: {envelope:#}");
        assert!(envelope["error"].as_str().unwrap().contains(expected), "{call}: {expected:?} in {envelope:#}");
    }
    let requests = bench.sim.requests();
    assert!(requests.is_empty(), "nothing is sent when the host refuses a path: {requests:#?}");
    assert!(!bench.plugins.path().parent().unwrap().join("x.mp3").exists());
}

#[test]
fn over_mcp_a_voicemail_is_audio_content() {
    let bench = Bench::start();
    let (client, _) = McpClient::start(bench.kosmo(), &[]);
    let result = client
        .call_tool("ringcentral_get_message_content", json!({"message_id": VOICEMAIL, "attachment_id": VOICEMAIL}));
    assert_ne!(result["isError"], true, "{result:#}");
    let content = result["content"].as_array().unwrap();
    let audio = content.iter().find(|c| c["type"] == "audio").unwrap_or_else(|| panic!("audio content: {result:#}"));
    assert_eq!(audio["mimeType"], "audio/mpeg");
    let served = media_bytes(&bench.sim, &format!("{ME}/message-store/{VOICEMAIL}/content/{VOICEMAIL}"));
    assert_eq!(decode_base64(audio["data"].as_str().unwrap()), served);
    // What the output schema describes: the text block's JSON, also as structuredContent.
    let summary = json!({"contentType": "audio/mpeg", "size": served.len()});
    assert_eq!(result["structuredContent"], summary, "{result:#}");
    assert_eq!(serde_json::from_str::<Value>(content[0]["text"].as_str().unwrap()).unwrap(), summary);
    // Saved instead, it is the JSON text of where it went.
    let saved = client
        .call_tool("ringcentral_get_call_recording", json!({"recording_id": RECORDING, "save_to": "from-mcp.mp3"}));
    let text: Value = serde_json::from_str(saved["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text["path"], "from-mcp.mp3");
    assert_eq!(saved["structuredContent"], text, "{saved:#}");
    assert!(bench.plugins.path().join("from-mcp.mp3").exists());
}
