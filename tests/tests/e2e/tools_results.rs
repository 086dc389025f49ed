//! For each tool of the table, what a script gets back: RingCentral's records
//! mapped into Lua (64-bit IDs exact), clear success values for 204s, state
//! changes visible to later calls, and structured errors.

use kosmo_harness::*;
use serde_json::{Value, json};

const SEED_MESSAGE: u64 = 1_234_567_890;

fn strings(value: &Value, field: &str) -> Vec<String> {
    value.as_array().unwrap().iter().map(|r| r[field].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn list_messages_returns_paginated_records_of_the_last_day_by_default() {
    let bench = Bench::start();
    let result = bench.lua_ok(&format!(
        r#"local rc = app.integrations.ringcentral
        local recent = rc.list_messages({{}})
        local month = rc.list_messages({{messageType = "Sms", dateFrom = "{}", perPage = 3, page = 2}})
        return {{recent = recent, month = month}}"#,
        seed::iso_days_ago(30)
    ));
    let recent = &result["recent"];
    let day_ago = seed::iso_days_ago(1);
    let times = strings(&recent["records"], "creationTime");
    assert!(!times.is_empty());
    assert!(times.iter().all(|t| *t >= day_ago), "only the last 24 hours without dateFrom: {times:?}");
    assert!(recent["uri"].as_str().unwrap().contains("dateFrom="), "{}", recent["uri"]);
    assert!(recent["records"].as_array().unwrap().iter().all(|m| m["availability"] == "Alive"));

    let month = &result["month"];
    assert_eq!(month["paging"]["page"], 2);
    assert_eq!(month["paging"]["perPage"], 3);
    assert!(month["paging"]["totalElements"].as_u64().unwrap() > times.len() as u64 / 2);
    assert_eq!(month["records"].as_array().unwrap().len(), 3);
    assert!(month["records"].as_array().unwrap().iter().all(|m| m["type"] == "SMS"));
    assert!(
        month["navigation"]["previousPage"]["uri"].is_string() && month["navigation"]["firstPage"]["uri"].is_string()
    );
    assert!(month["records"][0]["id"].as_u64().unwrap() > 1 << 53, "IDs above 2^53 stay exact");
}

#[test]
fn get_message_returns_the_full_record() {
    let bench = Bench::start();
    let message = bench.lua_ok(r#"return app.integrations.ringcentral.get_message({messageId = "1234567890"})"#);
    assert_eq!(message["id"], SEED_MESSAGE);
    assert_eq!(message["type"], "SMS");
    assert_eq!(message["direction"], "Inbound");
    assert_eq!(message["from"]["phoneNumber"], "+16505559876");
    assert_eq!(message["to"][0]["phoneNumber"], "+16505551234");
    assert!(message["subject"].is_string() && message["attachments"].is_array());
}

#[test]
fn update_message_changes_the_read_status_and_availability() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local before = rc.get_message({messageId = "1234567890"}).readStatus
        local updated = rc.update_message({message_id = "1234567890", readStatus = "Read"})
        rc.delete_message({message_id = "1234567890"})
        local restored = rc.update_message({message_id = "1234567890", payload = {availability = "Alive"}})
        local after = rc.get_message({messageId = "1234567890"})
        return {before = before, updated = updated.readStatus, restored = restored.availability,
                after = {after.readStatus, after.availability}}"#,
    );
    assert_eq!(result, json!({"before": "Unread", "updated": "Read", "restored": "Alive", "after": ["Read", "Alive"]}));
}

#[test]
fn delete_message_returns_success_and_the_message_becomes_deleted() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local deleted = rc.delete_message({message_id = 1234567890})
        return {deleted = deleted, availability = rc.get_message({messageId = 1234567890}).availability}"#,
    );
    assert_eq!(result, json!({"deleted": {"success": true, "status": 204}, "availability": "Deleted"}));
}

#[test]
fn send_sms_returns_the_queued_message_which_lands_in_the_store_as_outbound() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local sent = rc.send_sms({from = "+16505551234", to = "+16505559876", text = "Hello from RingCentral"})
        local outbound = rc.list_messages({direction = "Outbound", messageType = "Sms"}).records
        return {sent = sent, newest = outbound[1]}"#,
    );
    let sent = &result["sent"];
    assert_eq!(sent["direction"], "Outbound");
    assert_eq!(sent["messageStatus"], "Queued");
    assert_eq!(sent["from"]["phoneNumber"], "+16505551234");
    assert_eq!(sent["to"][0]["phoneNumber"], "+16505559876");
    assert_eq!(sent["subject"], "Hello from RingCentral");
    assert_eq!(result["newest"]["id"], sent["id"]);
    assert_eq!(result["newest"]["direction"], "Outbound");
}

#[test]
fn list_calls_returns_the_extensions_calls_filtered_by_number() {
    let bench = Bench::start();
    let result = bench.lua_ok(&format!(
        r#"local rc = app.integrations.ringcentral
        local all = rc.list_calls({{dateFrom = "{}", perPage = 1000}})
        local other = all.records[1].direction == "Inbound" and all.records[1].from or all.records[1].to
        local matching = rc.list_calls({{dateFrom = "{}", phoneNumber = other.phoneNumber, type = "All"}})
        return {{all = all, number = other.phoneNumber, matching = matching.records}}"#,
        seed::iso_days_ago(120),
        seed::iso_days_ago(120)
    ));
    assert_eq!(result["all"]["paging"]["totalElements"], 40, "the session user's whole log");
    let number = result["number"].as_str().unwrap();
    let matching = result["matching"].as_array().unwrap();
    assert!(!matching.is_empty());
    assert!(matching.iter().all(|c| c["from"]["phoneNumber"] == number || c["to"]["phoneNumber"] == number));
    assert!(matching.len() < 40);
}

#[test]
fn list_account_calls_covers_every_extension() {
    let bench = Bench::start();
    let since = seed::iso_days_ago(120);
    let result = bench.lua_ok(&format!(
        r#"local rc = app.integrations.ringcentral
        return {{all = rc.list_account_calls({{dateFrom = "{since}", perPage = 1000}}),
                 second = rc.list_account_calls({{dateFrom = "{since}", extensionNumber = "102"}})}}"#
    ));
    assert_eq!(result["all"]["paging"]["totalElements"], 56);
    let owners: std::collections::BTreeSet<u64> =
        result["all"]["records"].as_array().unwrap().iter().map(|c| c["extension"]["id"].as_u64().unwrap()).collect();
    assert_eq!(owners.len(), 3, "three extensions have calls: {owners:?}");
    assert_eq!(result["second"]["paging"]["totalElements"], 10);
}

#[test]
fn get_call_returns_the_record() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local listed = rc.list_calls({}).records[1]
        return {listed = listed, got = rc.get_call({call_id = listed.id})}"#,
    );
    assert_eq!(result["got"], result["listed"]);
    for field in ["id", "sessionId", "startTime", "type", "direction", "action", "result"] {
        assert!(!result["got"][field].is_null(), "{field}: {}", result["got"]);
    }
}

#[test]
fn list_contacts_returns_address_book_records_by_name_prefix() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local all = rc.list_contacts({})
        local first = all.records[1].firstName
        return {all = all, first = first, prefixed = rc.list_contacts({startsWith = first:sub(1, 2):lower()}).records}"#,
    );
    assert_eq!(result["all"]["records"].as_array().unwrap().len(), 4);
    assert!(result["all"]["groups"]["uri"].is_string());
    let prefix = result["first"].as_str().unwrap()[..2].to_lowercase();
    let prefixed = result["prefixed"].as_array().unwrap();
    assert!(!prefixed.is_empty());
    assert!(prefixed.iter().all(|c| {
        [&c["firstName"], &c["lastName"]]
            .iter()
            .any(|n| n.as_str().unwrap_or_default().to_lowercase().starts_with(&prefix))
    }));
}

#[test]
fn get_contact_returns_the_contact() {
    let bench = Bench::start();
    let contact = bench.lua_ok(r#"return app.integrations.ringcentral.get_contact({contact_id = "620000001"})"#);
    assert_eq!(contact["id"], 620_000_001u64);
    assert!(contact["firstName"].is_string() && contact["mobilePhone"].as_str().unwrap().starts_with('+'));
}

#[test]
fn create_contact_returns_the_new_contact_visible_to_list_and_get() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local created = rc.create_contact({firstName = "Ada", lastName = "Lovelace", mobilePhone = "+16505550100",
                                           email = "ada@example.test", payload = {jobTitle = "Countess"}})
        return {created = created, got = rc.get_contact({contact_id = created.id}),
                listed = rc.list_contacts({startsWith = "Ada"}).records}"#,
    );
    let created = &result["created"];
    assert_eq!(created["firstName"], "Ada");
    assert_eq!(created["jobTitle"], "Countess");
    assert_eq!(result["got"], *created);
    assert!(result["listed"].as_array().unwrap().iter().any(|c| c["id"] == created["id"]));
}

#[test]
fn update_contact_changes_only_the_named_fields() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local before = rc.get_contact({contact_id = "620000001"})
        local updated = rc.update_contact({contact_id = "620000001", company = "Example"})
        return {before = before, updated = updated, got = rc.get_contact({contact_id = "620000001"})}"#,
    );
    let (before, updated) = (&result["before"], &result["updated"]);
    assert_eq!(updated["company"], "Example");
    for field in ["firstName", "lastName", "email", "mobilePhone"] {
        assert_eq!(updated[field], before[field], "{field} survives an update that does not name it");
    }
    assert_eq!(result["got"], *updated);
}

#[test]
fn delete_contact_returns_success_and_the_contact_is_gone() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local deleted = rc.delete_contact({contact_id = "620000002"})
        local ok, err = pcall(rc.get_contact, {contact_id = "620000002"})
        local ids = {}
        for i, c in ipairs(rc.list_contacts({}).records) do ids[i] = c.id end
        return {deleted = deleted, ok = ok, err = err, ids = ids}"#,
    );
    assert_eq!(result["deleted"], json!({"success": true, "status": 204}));
    assert_eq!(result["ok"], false);
    let err = result["err"].as_str().unwrap();
    assert!(err.contains("HTTP 404 CMN-102") && err.contains("(parameter 'contactId')"), "{err}");
    assert_eq!(result["ids"], json!([620000001u64, 620000003u64, 620000004u64]));
}

#[test]
fn get_account_returns_account_metadata() {
    let bench = Bench::start();
    let account = bench.lua_ok(r#"return app.integrations.ringcentral.get_account({})"#);
    assert_eq!(account["id"], 400_131_868_004u64);
    assert_eq!(account["mainNumber"], "+16505550100");
    assert_eq!(account["status"], "Confirmed");
    assert_eq!(account["operator"]["extensionNumber"], "101");
}

#[test]
fn list_extensions_filters_by_type_and_status() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        return {all = rc.list_extensions({}).records,
                departments = rc.list_extensions({extensionType = "Department"}).records,
                enabled_users = rc.list_extensions({extensionType = "User", status = "Enabled"}).records,
                page = rc.list_extensions({perPage = 2, page = 2})}"#,
    );
    assert_eq!(strings(&result["all"], "extensionNumber"), ["101", "102", "103", "201", "202"]);
    assert_eq!(strings(&result["departments"], "extensionNumber"), ["201", "202"]);
    assert_eq!(strings(&result["enabled_users"], "extensionNumber"), ["101", "102"]);
    assert_eq!(strings(&result["page"]["records"], "extensionNumber"), ["103", "201"]);
    assert_eq!(result["page"]["paging"]["totalPages"], 3);
}

#[test]
fn get_extension_returns_another_extension() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local second = rc.list_extensions({extensionType = "User"}).records[2]
        return {seed = rc.get_extension({extension_id = "123456789"}), second = rc.get_extension({extension_id = second.id})}"#,
    );
    assert_eq!(result["seed"]["id"], 123_456_789);
    assert_eq!(result["seed"]["extensionNumber"], "202");
    assert_eq!(result["second"]["extensionNumber"], "102");
    assert!(result["second"].get("serviceFeatures").is_none(), "features only for the session's own extension");
}

#[test]
fn list_account_phone_numbers_returns_numbers_with_assignments() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        return {all = rc.list_account_phone_numbers({}).records,
                direct = rc.list_account_phone_numbers({usageType = "DirectNumber", status = "Normal"}).records}"#,
    );
    assert_eq!(result["all"].as_array().unwrap().len(), 8);
    let direct = result["direct"].as_array().unwrap();
    assert_eq!(direct.len(), 5);
    assert!(direct.iter().all(|n| n["usageType"] == "DirectNumber" && n["extension"]["id"].is_u64()));
}

#[test]
fn list_extension_phone_numbers_returns_the_users_numbers_with_features() {
    let bench = Bench::start();
    let numbers = bench.lua_ok(
        r#"return app.integrations.ringcentral.list_extension_phone_numbers({usageType = "DirectNumber"}).records"#,
    );
    let sender =
        numbers.as_array().unwrap().iter().find(|n| n["phoneNumber"] == "+16505551234").expect("the seed's sender");
    assert!(sender["features"].as_array().unwrap().contains(&json!("SmsSender")));
    assert!(numbers.as_array().unwrap().iter().all(|n| n["usageType"] == "DirectNumber"));
}

#[test]
fn get_presence_adds_active_calls_when_detailed() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        return {plain = rc.get_presence({}), detailed = rc.get_presence({detailedTelephonyState = true})}"#,
    );
    assert_eq!(result["plain"]["telephonyStatus"], "CallConnected");
    assert!(result["plain"].get("activeCalls").is_none());
    assert_eq!(result["detailed"]["activeCalls"].as_array().unwrap().len(), 1);
}

#[test]
fn get_current_user_returns_the_session_extension() {
    let bench = Bench::start();
    let me = bench.lua_ok(r#"return app.integrations.ringcentral.get_current_user({})"#);
    assert_eq!(me["extensionNumber"], "101");
    assert_eq!(me["id"], 400_131_869_004u64);
    assert!(me["serviceFeatures"].is_array());
}

#[test]
fn api_get_returns_what_the_named_tool_returns() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        return {raw = rc.api_get({path = "/restapi/v1.0/account/~/extension/~"}), named = rc.get_current_user({}),
                listed = rc.api_get({path = "/restapi/v1.0/account/~/extension", params = {type = {"Department"}}}).records}"#,
    );
    assert_eq!(result["raw"], result["named"]);
    assert_eq!(strings(&result["listed"], "extensionNumber"), ["201", "202"]);
}

#[test]
fn api_post_returns_the_created_resource() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local created = rc.api_post({path = "/restapi/v1.0/account/~/extension/~/address-book/contact",
                                     payload = {firstName = "Grace", lastName = "Hopper"}})
        return {created = created, got = rc.get_contact({contact_id = created.id})}"#,
    );
    assert_eq!(result["created"]["firstName"], "Grace");
    assert_eq!(result["got"], result["created"]);
}

#[test]
fn api_put_replaces_the_resource_whole() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"return app.integrations.ringcentral.api_put({path = "/restapi/v1.0/account/~/extension/~/address-book/contact/620000001",
            payload = {firstName = "Only"}})"#,
    );
    assert_eq!(result["firstName"], "Only");
    assert!(
        result.get("lastName").is_none() && result.get("mobilePhone").is_none(),
        "PUT clears what it does not name"
    );
}

#[test]
fn api_delete_returns_a_success_value() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"return app.integrations.ringcentral.api_delete({path = "/restapi/v1.0/account/~/extension/~/address-book/contact/620000003"})"#,
    );
    assert_eq!(result, json!({"success": true, "status": 204}));
}

#[test]
fn ringcentral_errors_are_structured_with_status_code_parameter_and_request_id() {
    let bench = Bench::start();
    let envelope = bench.lua(r#"app.integrations.ringcentral.get_message({messageId = "999"})"#);
    assert_eq!(envelope["success"], false);
    let error = envelope["error"].as_str().unwrap();
    let logged = bench.sim.requests();
    let request_id = logged[0]["requestId"].as_str().unwrap();
    assert_eq!(
        error,
        format!(
            "eval:1: ringcentral.get_message: RingCentral API error: HTTP 404 CMN-102: Resource for parameter \
             [messageId] is not found (parameter 'messageId') [RCRequestId {request_id}]"
        )
    );
    let calls = envelope["integration_calls"].as_array().unwrap();
    assert_eq!(calls[0]["status"], "error");
}

#[test]
fn an_api_error_can_be_caught_and_the_script_goes_on() {
    let bench = Bench::start();
    let result = bench.lua_ok(
        r#"local rc = app.integrations.ringcentral
        local ok, err = pcall(rc.get_extension, {extension_id = "42"})
        return {ok = ok, err = err, me = rc.get_current_user({}).extensionNumber}"#,
    );
    assert_eq!(result["ok"], false);
    assert!(result["err"].as_str().unwrap().contains("HTTP 404 CMN-102"), "{}", result["err"]);
    assert_eq!(result["me"], "101");
}

/// The tool each test above is the result case of: a tool added to the table
/// needs its case here too.
const CASES: &[(&str, fn())] = &[
    ("list_messages", list_messages_returns_paginated_records_of_the_last_day_by_default),
    ("get_message", get_message_returns_the_full_record),
    ("update_message", update_message_changes_the_read_status_and_availability),
    ("delete_message", delete_message_returns_success_and_the_message_becomes_deleted),
    ("send_sms", send_sms_returns_the_queued_message_which_lands_in_the_store_as_outbound),
    ("list_calls", list_calls_returns_the_extensions_calls_filtered_by_number),
    ("list_account_calls", list_account_calls_covers_every_extension),
    ("get_call", get_call_returns_the_record),
    ("list_contacts", list_contacts_returns_address_book_records_by_name_prefix),
    ("get_contact", get_contact_returns_the_contact),
    ("create_contact", create_contact_returns_the_new_contact_visible_to_list_and_get),
    ("update_contact", update_contact_changes_only_the_named_fields),
    ("delete_contact", delete_contact_returns_success_and_the_contact_is_gone),
    ("get_account", get_account_returns_account_metadata),
    ("list_extensions", list_extensions_filters_by_type_and_status),
    ("get_extension", get_extension_returns_another_extension),
    ("list_account_phone_numbers", list_account_phone_numbers_returns_numbers_with_assignments),
    ("list_extension_phone_numbers", list_extension_phone_numbers_returns_the_users_numbers_with_features),
    ("get_presence", get_presence_adds_active_calls_when_detailed),
    ("get_current_user", get_current_user_returns_the_session_extension),
    ("api_get", api_get_returns_what_the_named_tool_returns),
    ("api_post", api_post_returns_the_created_resource),
    ("api_put", api_put_replaces_the_resource_whole),
    ("api_delete", api_delete_returns_a_success_value),
    // Beyond the seed (tools_media.rs).
    ("sync_messages", crate::tools_media::sync_then_inbound_then_incremental_sync_gives_exactly_the_new_message),
    ("wait_for_reply", crate::tools_media::wait_for_reply_returns_a_reply_injected_while_it_waits),
    ("get_message_content", crate::tools_media::get_message_content_saves_a_voicemails_audio_where_asked),
    ("get_call_recording", crate::tools_media::get_call_recording_saves_the_recording),
    ("send_fax", crate::tools_media::send_fax_of_a_local_pdf_comes_back_as_a_fax),
    ("send_mms", crate::tools_media::send_mms_of_a_local_gif_sends_the_picture),
    ("ring_out", crate::tools_media::ring_out_returns_an_id_and_a_status_until_cancelled),
    ("get_ring_out_status", crate::tools_media::ring_out_returns_an_id_and_a_status_until_cancelled),
    ("cancel_ring_out", crate::tools_media::ring_out_returns_an_id_and_a_status_until_cancelled),
];

#[test]
fn every_table_tool_has_a_result_case() {
    contract::assert_a_case_per_tool("result", "tools_results.rs", CASES);
}
