//! For each tool of the table, bad input is refused before anything is sent:
//! the error names the parameter and says what is allowed, and the simulator
//! sees no request at all.

use kosmo_harness::*;

/// Calls `tool` once per `(lua_args, expected fragments)` case, each under
/// `pcall`, in one script; every call must fail with all its fragments in the
/// message, and no request may reach the simulator.
#[track_caller]
pub(crate) fn refused(tool: &str, cases: &[(&str, &[&str])]) {
    let bench = Bench::start();
    let args: Vec<&str> = cases.iter().map(|(args, _)| *args).collect();
    let code = format!(
        r#"local f = app.integrations.ringcentral.{tool}
        local out = {{}}
        for i, args in ipairs({{ {} }}) do
          local ok, err = pcall(f, args)
          out[i] = ok and "NO ERROR" or tostring(err)
        end
        return out"#,
        args.join(",\n ")
    );
    let errors = bench.lua_ok(&code);
    let errors = errors.as_array().unwrap_or_else(|| panic!("a list of errors: {errors}"));
    assert_eq!(errors.len(), cases.len(), "{errors:#?}");
    for ((args, fragments), error) in cases.iter().zip(errors) {
        let error = error.as_str().unwrap();
        assert!(error.contains("invalid arguments"), "{tool}({args}) must be refused by validation: {error}");
        for fragment in *fragments {
            assert!(error.contains(fragment), "{tool}({args}): {fragment:?} missing from {error:?}");
        }
    }
    let requests = bench.sim.requests();
    assert!(requests.is_empty(), "{tool}: nothing may be sent for bad input, got {requests:#?}");
}

#[test]
fn list_messages_refuses_bad_filters() {
    refused(
        "list_messages",
        &[
            (
                r#"{messageType = "example_messageType"}"#,
                &["'messageType' must be one of Fax, SMS, VoiceMail, Pager, All"],
            ),
            (
                r#"{dateFrom = "example_dateFrom"}"#,
                &["'dateFrom' must be an ISO 8601 date-time", "2026-05-01T00:00:00Z"],
            ),
            (r#"{dateTo = "2026-05-01T10:00:00"}"#, &["'dateTo'", "time zone"]),
            (r#"{direction = "Sideways"}"#, &["'direction' must be one of Inbound, Outbound, All"]),
            (r#"{readStatus = "Seen"}"#, &["'readStatus' must be one of Read, Unread, All"]),
            (r#"{perPage = 0}"#, &["'perPage' must be between 1 and 1000, got 0"]),
            (r#"{perPage = 1001}"#, &["'perPage' must be between 1 and 1000, got 1001"]),
            (r#"{perPage = "10"}"#, &["'perPage' must be an integer, got a string"]),
            (r#"{page = 0}"#, &["'page' must be between 1"]),
            (r#"{perpage = 5}"#, &["unknown parameter 'perpage'", "Did you mean 'perPage'?"]),
        ],
    );
}

#[test]
fn get_message_refuses_missing_and_unsafe_ids() {
    refused(
        "get_message",
        &[
            ("{}", &["missing required parameter 'messageId'"]),
            (r#"{message_id = "1"}"#, &["unknown parameter 'message_id'", "Did you mean 'messageId'?"]),
            (r#"{messageId = "1,2"}"#, &["'messageId' must be a single record ID"]),
            (r#"{messageId = "*"}"#, &["'messageId' must be a single record ID"]),
            (r#"{messageId = ""}"#, &["'messageId' must be a single record ID"]),
            (r#"{messageId = "../1"}"#, &["'messageId' must be a single record ID"]),
            (r#"{messageId = "1 2"}"#, &["'messageId' must be a single record ID"]),
            (r#"{messageId = true}"#, &["'messageId' must be a record ID (string or integer), got a boolean"]),
        ],
    );
}

#[test]
fn update_message_refuses_empty_updates_and_bad_values() {
    refused(
        "update_message",
        &[
            (r#"{readStatus = "Read"}"#, &["missing required parameter 'message_id'"]),
            (r#"{message_id = "1"}"#, &["nothing to send; give at least one of: readStatus, payload"]),
            (r#"{message_id = "1", readStatus = "Seen"}"#, &["'readStatus' must be one of Read, Unread"]),
            (r#"{message_id = "1?x", readStatus = "Read"}"#, &["'message_id' must be a single record ID"]),
            (r#"{message_id = "1", payload = "Read"}"#, &["'payload' must be an object, got a string"]),
            (r#"{messageId = "1", readStatus = "Read"}"#, &["unknown parameter 'messageId'", "message_id"]),
        ],
    );
}

#[test]
fn delete_message_refuses_bulk_and_empty_ids() {
    refused(
        "delete_message",
        &[
            ("{}", &["missing required parameter 'message_id'"]),
            (r#"{message_id = ""}"#, &["'message_id' must be a single record ID"]),
            (r#"{message_id = "*"}"#, &["'message_id' must be a single record ID"]),
            (r#"{message_id = "1,2"}"#, &["'message_id' must be a single record ID"]),
            (r#"{message_id = "1%2C2"}"#, &["'message_id' must be a single record ID"]),
            (r#"{message_id = "a/b"}"#, &["'message_id' must be a single record ID"]),
            (r##"{message_id = "#1"}"##, &["'message_id' must be a single record ID"]),
            (r#"{message_id = "1\t"}"#, &["'message_id' must be a single record ID"]),
        ],
    );
}

#[test]
fn send_sms_refuses_missing_fields_bad_numbers_and_long_texts() {
    refused(
        "send_sms",
        &[
            (r#"{from = "+16505551234", to = "+16505559876"}"#, &["missing required parameter 'text'"]),
            (r#"{to = "+16505559876", text = "hi"}"#, &["missing required parameter 'from'"]),
            (
                r#"{from = "example_from", to = "+16505559876", text = "hi"}"#,
                &["'from' must be a phone number in E.164 format"],
            ),
            (r#"{from = "+16505551234", to = "", text = "hi"}"#, &["'to' must be a phone number"]),
            (r#"{from = "+16505551234", to = "+16505559876", text = ""}"#, &["'text' must be 1 to 1000 characters"]),
            (
                r#"{from = "+16505551234", to = "+16505559876", text = string.rep("a", 1001)}"#,
                &["'text' must be 1 to 1000 characters", "got 1001"],
            ),
            (
                r#"{from = "+16505551234", to = {"+16505559876"}, text = "hi"}"#,
                &["'to' must be a phone number string, got an array"],
            ),
            (r#"{from = "+16505551234", to = "+16505559876", body = "hi"}"#, &["unknown parameter 'body'"]),
        ],
    );
}

#[test]
fn list_calls_refuses_bad_filters() {
    refused(
        "list_calls",
        &[
            (r#"{type = "Video"}"#, &["'type' must be one of Voice, Fax, All"]),
            (r#"{direction = "In"}"#, &["'direction' must be one of Inbound, Outbound, All"]),
            (r#"{phoneNumber = "call me"}"#, &["'phoneNumber' must be a phone number"]),
            (r#"{perPage = 5000}"#, &["'perPage' must be between 1 and 1000"]),
            (r#"{dateFrom = "2026-02-30T00:00:00Z "}"#, &["'dateFrom' must be an ISO 8601 date-time"]),
            (r#"{extensionNumber = "101"}"#, &["unknown parameter 'extensionNumber'"]),
        ],
    );
}

#[test]
fn list_account_calls_refuses_combined_and_bad_filters() {
    refused(
        "list_account_calls",
        &[
            (
                r#"{extensionNumber = "101", phoneNumber = "+16505550100"}"#,
                &["give either 'extensionNumber' or 'phoneNumber'"],
            ),
            (r#"{type = "All,Video"}"#, &["'type' must be one of Voice, Fax, All (several as a comma-separated list)"]),
            (r#"{perPage = 0}"#, &["'perPage' must be between 1 and 1000"]),
            (r#"{extensionNumber = 101}"#, &["'extensionNumber' must be a string, got an integer"]),
            (r#"{dateFrom = "last week"}"#, &["'dateFrom' must be an ISO 8601 date-time"]),
        ],
    );
}

#[test]
fn get_call_refuses_missing_and_unsafe_ids() {
    refused(
        "get_call",
        &[
            ("{}", &["missing required parameter 'call_id'"]),
            (r#"{call_id = "a,b"}"#, &["'call_id' must be a single record ID"]),
            (r#"{call_id = 1.5}"#, &["'call_id' must be a record ID", "whole number"]),
            (r#"{callId = "a"}"#, &["unknown parameter 'callId'", "Did you mean 'call_id'?"]),
        ],
    );
}

#[test]
fn list_contacts_refuses_bad_parameters() {
    refused(
        "list_contacts",
        &[
            (r#"{perPage = 0}"#, &["'perPage' must be between 1 and 1000"]),
            (r#"{startsWith = 5}"#, &["'startsWith' must be a string, got an integer"]),
            (
                r#"{sortBy = "FirstName"}"#,
                &["unknown parameter 'sortBy'", "Allowed parameters: startsWith, perPage, page"],
            ),
        ],
    );
}

#[test]
fn get_contact_refuses_missing_and_unsafe_ids() {
    refused(
        "get_contact",
        &[
            ("{}", &["missing required parameter 'contact_id'"]),
            (r#"{contact_id = "*"}"#, &["'contact_id' must be a single record ID"]),
            (r#"{contact_id = "1,2"}"#, &["'contact_id' must be a single record ID"]),
            (r#"{contactId = 1}"#, &["unknown parameter 'contactId'", "Did you mean 'contact_id'?"]),
        ],
    );
}

#[test]
fn create_contact_refuses_empty_contacts_and_bad_types() {
    refused(
        "create_contact",
        &[
            ("{}", &["nothing to send; give at least one of: firstName, lastName, company, email"]),
            (r#"{firstName = 5}"#, &["'firstName' must be a string, got an integer"]),
            (r#"{firstName = "Ada", payload = "x"}"#, &["'payload' must be an object, got a string"]),
            (r#"{phone = "+16505550100"}"#, &["unknown parameter 'phone'"]),
        ],
    );
}

#[test]
fn update_contact_refuses_empty_updates_and_unsafe_ids() {
    refused(
        "update_contact",
        &[
            (r#"{contact_id = "620000001"}"#, &["nothing to send; give at least one of: firstName"]),
            (r#"{company = "Example"}"#, &["missing required parameter 'contact_id'"]),
            (r##"{contact_id = "#1", company = "Example"}"##, &["'contact_id' must be a single record ID"]),
            (r#"{contact_id = "1", email = {"a"}}"#, &["'email' must be a string, got an array"]),
        ],
    );
}

#[test]
fn delete_contact_refuses_unsafe_ids() {
    refused(
        "delete_contact",
        &[
            ("{}", &["missing required parameter 'contact_id'"]),
            (r#"{contact_id = ".."}"#, &["'contact_id' must be a single record ID"]),
            (r#"{contact_id = " 1"}"#, &["'contact_id' must be a single record ID"]),
            (r#"{contact_id = "1;2"}"#, &["'contact_id' must be a single record ID"]),
        ],
    );
}

#[test]
fn get_account_refuses_parameters() {
    refused("get_account", &[(r#"{accountId = "~"}"#, &["unknown parameter 'accountId'", "Allowed parameters: none"])]);
}

#[test]
fn list_extensions_refuses_values_outside_the_spec_enums() {
    refused(
        "list_extensions",
        &[
            (r#"{extensionType = "Robot"}"#, &["'extensionType' must be one of User, Department, Announcement"]),
            (
                r#"{status = "Active"}"#,
                &["'status' must be one of Enabled, Disabled, Frozen, NotActivated, Unassigned"],
            ),
            (r#"{perPage = 1001}"#, &["'perPage' must be between 1 and 1000"]),
            (r#"{type = "User"}"#, &["unknown parameter 'type'"]),
        ],
    );
}

#[test]
fn get_extension_refuses_missing_and_unsafe_ids() {
    refused(
        "get_extension",
        &[
            ("{}", &["missing required parameter 'extension_id'"]),
            (r#"{extension_id = "1/2"}"#, &["'extension_id' must be a single record ID"]),
            (r#"{extension_id = "?"}"#, &["'extension_id' must be a single record ID"]),
            (r#"{extensionId = "1"}"#, &["unknown parameter 'extensionId'", "Did you mean 'extension_id'?"]),
        ],
    );
}

#[test]
fn list_account_phone_numbers_refuses_values_outside_the_spec_enums() {
    refused(
        "list_account_phone_numbers",
        &[
            (r#"{usageType = "Mobile"}"#, &["'usageType' must be one of MainCompanyNumber", "DirectNumber"]),
            (r#"{status = "Active"}"#, &["'status' must be one of Normal, Pending, PortedIn, Temporary, Unknown"]),
            (r#"{page = -1}"#, &["'page' must be between 1"]),
        ],
    );
}

#[test]
fn list_extension_phone_numbers_refuses_bad_parameters() {
    refused(
        "list_extension_phone_numbers",
        &[
            (r#"{usageType = "Whatever"}"#, &["'usageType' must be one of MainCompanyNumber"]),
            (r#"{status = "Normal"}"#, &["unknown parameter 'status'", "Allowed parameters: usageType, perPage, page"]),
            (r#"{perPage = 2.5}"#, &["'perPage' must be an integer, got a number"]),
        ],
    );
}

#[test]
fn get_presence_refuses_non_boolean_flags() {
    refused(
        "get_presence",
        &[
            (r#"{detailedTelephonyState = "yes"}"#, &["'detailedTelephonyState' must be a boolean, got a string"]),
            (r#"{sipData = true}"#, &["unknown parameter 'sipData'"]),
        ],
    );
}

#[test]
fn get_current_user_refuses_parameters() {
    refused("get_current_user", &[(r#"{extension_id = "1"}"#, &["unknown parameter 'extension_id'"])]);
}

const NOT_A_PATH: &str = "'path' is not a relative RingCentral API path";

#[test]
fn api_get_refuses_paths_outside_restapi() {
    refused(
        "api_get",
        &[
            (r#"{path = "https://evil.example/restapi/v1.0/account/~"}"#, &[NOT_A_PATH, "absolute URLs are rejected"]),
            (r#"{path = "//evil.example/restapi/v1.0/account/~"}"#, &[NOT_A_PATH, "absolute URLs are rejected"]),
            (r#"{path = "/restapi/v1.0/../oauth/token"}"#, &[NOT_A_PATH, "'..' segments"]),
            (r#"{path = "/restapi/oauth/token"}"#, &[NOT_A_PATH, "OAuth endpoints"]),
            (r#"{path = "/account/~"}"#, &[NOT_A_PATH, "must start with /restapi/"]),
            (r#"{path = "/restapi/v1.0/account/~", params = "x"}"#, &["'params' must be an object"]),
            ("{}", &["missing required parameter 'path'"]),
        ],
    );
}

#[test]
fn api_post_refuses_absolute_urls_and_traversal() {
    refused(
        "api_post",
        &[
            (r#"{path = "https://evil.example/restapi/v1.0/x", payload = {}}"#, &[NOT_A_PATH, "absolute URLs"]),
            (r#"{path = "/restapi/v1.0/account/~/../../x"}"#, &[NOT_A_PATH, "'..' segments"]),
            (r#"{path = "/restapi/v1.0/account/~/extension/~/sms", payload = 5}"#, &["'payload' must be an object"]),
        ],
    );
}

#[test]
fn api_put_refuses_encoded_traversal() {
    refused(
        "api_put",
        &[
            (r#"{path = "/restapi/%2e%2e/oauth/token"}"#, &[NOT_A_PATH, "encoded dots or slashes"]),
            (r#"{path = "/restapi/v1.0/account/~%2Fextension"}"#, &[NOT_A_PATH, "encoded dots or slashes"]),
            (r#"{payload = {}}"#, &["missing required parameter 'path'"]),
        ],
    );
}

#[test]
fn api_delete_refuses_other_origins_and_dot_segments() {
    refused(
        "api_delete",
        &[
            (r#"{path = "http://127.0.0.1/restapi/v1.0/account/~"}"#, &[NOT_A_PATH, "absolute URLs"]),
            (r#"{path = "/restapi/v1.0/account/~/extension/~/message-store/.."}"#, &[NOT_A_PATH, "'..' segments"]),
            (r#"{path = "/restapi/v1.0/account/~/extension/~/message-store/./1"}"#, &[NOT_A_PATH, "'.' and '..'"]),
            (r#"{path = "restapi/v1.0/account/~"}"#, &[NOT_A_PATH, "must start with /restapi/"]),
        ],
    );
}

/// The tool each test above is the bad-input case of: a tool added to the table
/// needs its case here too.
const CASES: &[(&str, fn())] = &[
    ("list_messages", list_messages_refuses_bad_filters),
    ("get_message", get_message_refuses_missing_and_unsafe_ids),
    ("update_message", update_message_refuses_empty_updates_and_bad_values),
    ("delete_message", delete_message_refuses_bulk_and_empty_ids),
    ("send_sms", send_sms_refuses_missing_fields_bad_numbers_and_long_texts),
    ("list_calls", list_calls_refuses_bad_filters),
    ("list_account_calls", list_account_calls_refuses_combined_and_bad_filters),
    ("get_call", get_call_refuses_missing_and_unsafe_ids),
    ("list_contacts", list_contacts_refuses_bad_parameters),
    ("get_contact", get_contact_refuses_missing_and_unsafe_ids),
    ("create_contact", create_contact_refuses_empty_contacts_and_bad_types),
    ("update_contact", update_contact_refuses_empty_updates_and_unsafe_ids),
    ("delete_contact", delete_contact_refuses_unsafe_ids),
    ("get_account", get_account_refuses_parameters),
    ("list_extensions", list_extensions_refuses_values_outside_the_spec_enums),
    ("get_extension", get_extension_refuses_missing_and_unsafe_ids),
    ("list_account_phone_numbers", list_account_phone_numbers_refuses_values_outside_the_spec_enums),
    ("list_extension_phone_numbers", list_extension_phone_numbers_refuses_bad_parameters),
    ("get_presence", get_presence_refuses_non_boolean_flags),
    ("get_current_user", get_current_user_refuses_parameters),
    ("api_get", api_get_refuses_paths_outside_restapi),
    ("api_post", api_post_refuses_absolute_urls_and_traversal),
    ("api_put", api_put_refuses_encoded_traversal),
    ("api_delete", api_delete_refuses_other_origins_and_dot_segments),
    // Beyond the seed (tools_media.rs).
    ("sync_messages", crate::tools_media::sync_messages_refuses_bad_counts_and_types),
    ("wait_for_reply", crate::tools_media::wait_for_reply_refuses_long_waits_and_bad_numbers),
    ("get_message_content", crate::tools_media::get_message_content_refuses_missing_and_unsafe_ids),
    ("get_call_recording", crate::tools_media::get_call_recording_refuses_a_missing_id),
    ("send_fax", crate::tools_media::send_fax_refuses_bad_numbers_and_missing_files),
    ("send_mms", crate::tools_media::send_mms_refuses_a_missing_sender_and_long_text),
    ("ring_out", crate::tools_media::ring_out_refuses_missing_numbers),
    ("get_ring_out_status", crate::tools_media::get_ring_out_status_refuses_unsafe_ids),
    ("cancel_ring_out", crate::tools_media::cancel_ring_out_refuses_unsafe_ids),
];

#[test]
fn every_table_tool_has_a_bad_input_case() {
    contract::assert_a_case_per_tool("bad-input", "tools_bad_input.rs", CASES);
}
