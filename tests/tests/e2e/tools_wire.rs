//! For each tool of the table, the exact request that reached the wire: method,
//! path, query string (array filters as repeated keys, the API's spellings),
//! JSON body and content type. Every request is also checked against the
//! OpenAPI description when the bench is dropped.

use kosmo_harness::*;
use serde_json::{Value, json};

const ME: &str = "/restapi/v1.0/account/~/extension/~";

/// Runs `code` (with `--force`) on a fresh bench and returns every request it sent.
pub(crate) fn sent(code: &str) -> Vec<Value> {
    let bench = Bench::start();
    bench.lua_ok(code);
    bench.take_requests()
}

/// Exactly one request, checked field by field.
pub(crate) fn only(requests: &[Value]) -> &Value {
    assert_eq!(requests.len(), 1, "one call, one request: {requests:#?}");
    &requests[0]
}

#[track_caller]
pub(crate) fn assert_request(request: &Value, method: &str, path: &str, query: &str, body: Option<Value>) {
    assert_eq!(request["method"], method, "{request:#}");
    assert_eq!(request["path"], path, "{request:#}");
    assert_eq!(request["query"], query, "{request:#}");
    assert_eq!(request["headers"]["accept"], "application/json", "{request:#}");
    match body {
        Some(expected) => {
            let actual: Value = serde_json::from_str(request["body"].as_str().unwrap()).expect("a JSON body");
            assert_eq!(actual, expected, "{request:#}");
            assert_eq!(request["headers"]["content-type"], "application/json", "{request:#}");
        }
        None => {
            assert_eq!(request["body"], "", "no body: {request:#}");
            assert!(request["headers"].get("content-type").is_none(), "{request:#}");
        }
    }
}

#[test]
fn list_messages_sends_api_spellings_and_repeated_keys() {
    let requests = sent(
        r#"local rc = app.integrations.ringcentral
        rc.list_messages({messageType = "Sms", dateFrom = "2026-05-01T00:00:00Z", dateTo = "2026-05-31",
                          direction = "Inbound", readStatus = "Unread", perPage = 25, page = 2})
        rc.list_messages({messageType = "Sms,Fax", direction = "All", readStatus = "All"})
        rc.list_messages({messageType = "All"})"#,
    );
    assert_eq!(requests.len(), 3);
    let path = format!("{ME}/message-store");
    assert_request(
        &requests[0],
        "GET",
        &path,
        "messageType=SMS&dateFrom=2026-05-01T00%3A00%3A00Z&dateTo=2026-05-31T00%3A00%3A00Z&direction=Inbound&readStatus=Unread&perPage=25&page=2",
        None,
    );
    assert_request(&requests[1], "GET", &path, "messageType=SMS&messageType=Fax", None);
    assert_request(&requests[2], "GET", &path, "", None);
}

#[test]
fn get_message_puts_the_id_in_the_path() {
    let requests = sent(r#"app.integrations.ringcentral.get_message({messageId = 1234567890})"#);
    assert_request(only(&requests), "GET", &format!("{ME}/message-store/1234567890"), "", None);
}

#[test]
fn update_message_patches_read_status_merged_with_payload() {
    let requests = sent(
        r#"app.integrations.ringcentral.update_message({message_id = "1234567890", readStatus = "read",
            payload = {availability = "Alive", readStatus = "Unread"}})"#,
    );
    let body = json!({"readStatus": "Read", "availability": "Alive"});
    assert_request(only(&requests), "PATCH", &format!("{ME}/message-store/1234567890"), "", Some(body));
}

#[test]
fn delete_message_sends_a_bodiless_delete_of_one_id() {
    let requests = sent(r#"app.integrations.ringcentral.delete_message({message_id = "1234567890"})"#);
    assert_request(only(&requests), "DELETE", &format!("{ME}/message-store/1234567890"), "", None);
}

#[test]
fn send_sms_builds_from_to_and_text() {
    let requests = sent(
        r#"app.integrations.ringcentral.send_sms({from = "+1 (650) 555-1234", to = "+16505559876", text = "Hello from RingCentral"})"#,
    );
    let body = json!({
        "from": {"phoneNumber": "+16505551234"},
        "to": [{"phoneNumber": "+16505559876"}],
        "text": "Hello from RingCentral",
    });
    assert_request(only(&requests), "POST", &format!("{ME}/sms"), "", Some(body));
}

#[test]
fn list_calls_sends_the_phone_number_without_plus() {
    let requests = sent(
        r#"app.integrations.ringcentral.list_calls({dateFrom = "2026-05-01T00:00:00Z", direction = "Outbound",
            type = "Voice", phoneNumber = "+1 415 555 0123", perPage = 50, page = 1})"#,
    );
    assert_request(
        only(&requests),
        "GET",
        &format!("{ME}/call-log"),
        "dateFrom=2026-05-01T00%3A00%3A00Z&direction=Outbound&type=Voice&phoneNumber=14155550123&perPage=50&page=1",
        None,
    );
}

#[test]
fn list_account_calls_goes_to_the_account_log() {
    let requests = sent(
        r#"app.integrations.ringcentral.list_account_calls({dateFrom = "2026-05-01T00:00:00Z", dateTo = "2026-06-01T00:00:00Z",
            direction = "All", type = "Fax", extensionNumber = "101", perPage = 100, page = 1})"#,
    );
    assert_request(
        only(&requests),
        "GET",
        "/restapi/v1.0/account/~/call-log",
        "dateFrom=2026-05-01T00%3A00%3A00Z&dateTo=2026-06-01T00%3A00%3A00Z&type=Fax&extensionNumber=101&perPage=100&page=1",
        None,
    );
}

#[test]
fn get_call_reads_one_record_of_the_extension_log() {
    let requests = sent(
        r#"local rc = app.integrations.ringcentral
        local id = rc.list_calls({}).records[1].id
        return rc.get_call({call_id = id}).id"#,
    );
    assert_eq!(requests.len(), 2);
    let listed = requests[0]["path"].as_str().unwrap();
    assert_eq!(listed, format!("{ME}/call-log"));
    let path = requests[1]["path"].as_str().unwrap();
    let id = path.strip_prefix(&format!("{ME}/call-log/")).expect("the record's path");
    assert!(id.len() == 15 && id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
    assert_request(&requests[1], "GET", path, "", None);
}

#[test]
fn list_contacts_sends_the_prefix_and_paging() {
    let requests =
        sent(r#"app.integrations.ringcentral.list_contacts({startsWith = "Ada L", perPage = 10, page = 1})"#);
    assert_request(
        only(&requests),
        "GET",
        &format!("{ME}/address-book/contact"),
        "startsWith=Ada%20L&perPage=10&page=1",
        None,
    );
}

#[test]
fn get_contact_puts_the_id_in_the_path() {
    let requests = sent(r#"app.integrations.ringcentral.get_contact({contact_id = 620000001})"#);
    assert_request(only(&requests), "GET", &format!("{ME}/address-book/contact/620000001"), "", None);
}

#[test]
fn create_contact_posts_named_fields_over_the_payload() {
    let requests = sent(
        r#"app.integrations.ringcentral.create_contact({firstName = "Ada", lastName = "Lovelace", company = "Analytical Engines",
            email = "ada@example.test", businessPhone = "+16505550111", mobilePhone = "+16505550100",
            payload = {jobTitle = "Countess", firstName = "ignored"}})"#,
    );
    let body = json!({
        "firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines", "email": "ada@example.test",
        "businessPhone": "+16505550111", "mobilePhone": "+16505550100", "jobTitle": "Countess",
    });
    assert_request(only(&requests), "POST", &format!("{ME}/address-book/contact"), "", Some(body));
}

#[test]
fn update_contact_patches_only_the_named_fields() {
    let requests =
        sent(r#"app.integrations.ringcentral.update_contact({contact_id = "620000001", company = "Example"})"#);
    let body = json!({"company": "Example"});
    assert_request(only(&requests), "PATCH", &format!("{ME}/address-book/contact/620000001"), "", Some(body));
}

#[test]
fn delete_contact_sends_a_bodiless_delete() {
    let requests = sent(r#"app.integrations.ringcentral.delete_contact({contact_id = "620000002"})"#);
    assert_request(only(&requests), "DELETE", &format!("{ME}/address-book/contact/620000002"), "", None);
}

#[test]
fn get_account_reads_the_session_account() {
    let requests = sent(r#"app.integrations.ringcentral.get_account({})"#);
    assert_request(only(&requests), "GET", "/restapi/v1.0/account/~", "", None);
}

#[test]
fn list_extensions_sends_extension_type_as_type() {
    let requests = sent(
        r#"local rc = app.integrations.ringcentral
        rc.list_extensions({extensionType = "User", status = "Enabled", perPage = 50, page = 1})
        rc.list_extensions({extensionType = "department,User", status = "NotActivated,Disabled"})"#,
    );
    assert_eq!(requests.len(), 2);
    let path = "/restapi/v1.0/account/~/extension";
    assert_request(&requests[0], "GET", path, "type=User&status=Enabled&perPage=50&page=1", None);
    assert_request(&requests[1], "GET", path, "type=Department&type=User&status=NotActivated&status=Disabled", None);
}

#[test]
fn get_extension_puts_the_id_in_the_path() {
    let requests = sent(r#"app.integrations.ringcentral.get_extension({extension_id = "123456789"})"#);
    assert_request(only(&requests), "GET", "/restapi/v1.0/account/~/extension/123456789", "", None);
}

#[test]
fn list_account_phone_numbers_sends_enum_filters() {
    let requests = sent(
        r#"app.integrations.ringcentral.list_account_phone_numbers({usageType = "directnumber", status = "Normal", perPage = 10, page = 1})"#,
    );
    assert_request(
        only(&requests),
        "GET",
        "/restapi/v1.0/account/~/phone-number",
        "usageType=DirectNumber&status=Normal&perPage=10&page=1",
        None,
    );
}

#[test]
fn list_extension_phone_numbers_repeats_usage_types() {
    let requests = sent(
        r#"app.integrations.ringcentral.list_extension_phone_numbers({usageType = "DirectNumber,MainCompanyNumber", perPage = 5})"#,
    );
    assert_request(
        only(&requests),
        "GET",
        &format!("{ME}/phone-number"),
        "usageType=DirectNumber&usageType=MainCompanyNumber&perPage=5",
        None,
    );
}

#[test]
fn get_presence_sends_a_boolean_query() {
    let requests = sent(
        r#"local rc = app.integrations.ringcentral
        rc.get_presence({detailedTelephonyState = true})
        rc.get_presence({detailedTelephonyState = false})
        rc.get_presence({})"#,
    );
    assert_eq!(requests.len(), 3);
    let path = format!("{ME}/presence");
    assert_request(&requests[0], "GET", &path, "detailedTelephonyState=true", None);
    assert_request(&requests[1], "GET", &path, "detailedTelephonyState=false", None);
    assert_request(&requests[2], "GET", &path, "", None);
}

#[test]
fn get_current_user_reads_the_session_extension() {
    let requests = sent(r#"app.integrations.ringcentral.get_current_user({})"#);
    assert_request(only(&requests), "GET", ME, "", None);
}

#[test]
fn api_get_sends_params_as_a_query_with_repeated_keys() {
    let requests = sent(
        r#"app.integrations.ringcentral.api_get({path = "/restapi/v1.0/account/~/extension", params = {type = {"User", "Department"}, perPage = 2}})"#,
    );
    assert_request(
        only(&requests),
        "GET",
        "/restapi/v1.0/account/~/extension",
        "perPage=2&type=User&type=Department",
        None,
    );
}

#[test]
fn api_post_sends_the_payload_as_json() {
    let requests = sent(
        r#"app.integrations.ringcentral.api_post({path = "/restapi/v1.0/account/~/extension/~/address-book/contact",
            payload = {firstName = "Grace", lastName = "Hopper"}})"#,
    );
    let body = json!({"firstName": "Grace", "lastName": "Hopper"});
    assert_request(only(&requests), "POST", &format!("{ME}/address-book/contact"), "", Some(body));
}

#[test]
fn api_put_sends_the_payload_as_json() {
    let requests = sent(
        r#"app.integrations.ringcentral.api_put({path = "/restapi/v1.0/account/~/extension/~/message-store/1234567890",
            payload = {readStatus = "Read"}})"#,
    );
    let body = json!({"readStatus": "Read"});
    assert_request(only(&requests), "PUT", &format!("{ME}/message-store/1234567890"), "", Some(body));
}

#[test]
fn api_delete_sends_a_bodiless_delete_without_payload() {
    let requests = sent(
        r#"app.integrations.ringcentral.api_delete({path = "/restapi/v1.0/account/~/extension/~/address-book/contact/620000003"})"#,
    );
    assert_request(only(&requests), "DELETE", &format!("{ME}/address-book/contact/620000003"), "", None);
}

/// The tool each test above is the request case of: a tool added to the table
/// needs its case here too.
const CASES: &[(&str, fn())] = &[
    ("list_messages", list_messages_sends_api_spellings_and_repeated_keys),
    ("get_message", get_message_puts_the_id_in_the_path),
    ("update_message", update_message_patches_read_status_merged_with_payload),
    ("delete_message", delete_message_sends_a_bodiless_delete_of_one_id),
    ("send_sms", send_sms_builds_from_to_and_text),
    ("list_calls", list_calls_sends_the_phone_number_without_plus),
    ("list_account_calls", list_account_calls_goes_to_the_account_log),
    ("get_call", get_call_reads_one_record_of_the_extension_log),
    ("list_contacts", list_contacts_sends_the_prefix_and_paging),
    ("get_contact", get_contact_puts_the_id_in_the_path),
    ("create_contact", create_contact_posts_named_fields_over_the_payload),
    ("update_contact", update_contact_patches_only_the_named_fields),
    ("delete_contact", delete_contact_sends_a_bodiless_delete),
    ("get_account", get_account_reads_the_session_account),
    ("list_extensions", list_extensions_sends_extension_type_as_type),
    ("get_extension", get_extension_puts_the_id_in_the_path),
    ("list_account_phone_numbers", list_account_phone_numbers_sends_enum_filters),
    ("list_extension_phone_numbers", list_extension_phone_numbers_repeats_usage_types),
    ("get_presence", get_presence_sends_a_boolean_query),
    ("get_current_user", get_current_user_reads_the_session_extension),
    ("api_get", api_get_sends_params_as_a_query_with_repeated_keys),
    ("api_post", api_post_sends_the_payload_as_json),
    ("api_put", api_put_sends_the_payload_as_json),
    ("api_delete", api_delete_sends_a_bodiless_delete_without_payload),
    // Beyond the seed (tools_media.rs).
    ("sync_messages", crate::tools_media::sync_messages_sends_full_then_incremental_syncs),
    ("wait_for_reply", crate::tools_media::wait_for_reply_syncs_incrementally_from_its_token),
    (
        "get_message_content",
        crate::tools_media::get_message_content_reads_the_attachment_and_leaves_save_to_to_the_host,
    ),
    ("get_call_recording", crate::tools_media::get_call_recording_reads_the_recording_content),
    ("send_fax", crate::tools_media::send_fax_posts_one_multipart_form_with_the_file),
    ("send_mms", crate::tools_media::send_mms_posts_one_multipart_form_with_the_picture),
    ("ring_out", crate::tools_media::ring_out_posts_both_numbers),
    ("get_ring_out_status", crate::tools_media::get_ring_out_status_and_cancel_ring_out_address_one_call),
    ("cancel_ring_out", crate::tools_media::get_ring_out_status_and_cancel_ring_out_address_one_call),
];

#[test]
fn every_table_tool_has_a_request_case() {
    contract::assert_a_case_per_tool("request", "tools_wire.rs", CASES);
}
