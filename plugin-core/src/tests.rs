//! Unit tests of what the table drives: one request per tool, validation,
//! schemas and docs. The end-to-end tests (tests/) check the same through the
//! real plugin, host and simulator.

use serde_json::{Value, json};

use crate::request::{ApiRequest, build};
use crate::tools::{Method, TOOLS, find};
use crate::{docs, schema};
use kosmo_suggest::closest;

fn request(tool: &str, args: Value) -> Result<ApiRequest, String> {
    build(find(tool).unwrap_or_else(|| panic!("no tool {tool}")), &args)
}

fn ok(tool: &str, args: Value) -> ApiRequest {
    request(tool, args.clone()).unwrap_or_else(|e| panic!("{tool}({args}): {e}"))
}

fn err(tool: &str, args: Value) -> String {
    match request(tool, args.clone()) {
        Ok(r) => panic!("{tool}({args}) should fail, built {r:?}"),
        Err(e) => e,
    }
}

const ME: &str = "/restapi/v1.0/account/~/extension/~";

/// A file as the host hands it over (README, "Media and files").
static FILE: std::sync::LazyLock<Value> = std::sync::LazyLock::new(
    || json!({"filename": "a.pdf", "contentType": "application/pdf", "contentBase64": "JVBERi0="}),
);

#[test]
fn every_tool_builds_the_request_ringcentral_expects() {
    let cases: Vec<(&str, Value, Method, String, Option<Value>)> = vec![
        (
            "list_messages",
            json!({"messageType": "Sms", "dateFrom": "2026-05-01T00:00:00Z", "direction": "Inbound", "readStatus": "Unread", "perPage": 25, "page": 2}),
            Method::Get,
            format!(
                "{ME}/message-store?messageType=SMS&dateFrom=2026-05-01T00%3A00%3A00Z&direction=Inbound&readStatus=Unread&perPage=25&page=2"
            ),
            None,
        ),
        (
            "get_message",
            json!({"messageId": "1234567890"}),
            Method::Get,
            format!("{ME}/message-store/1234567890"),
            None,
        ),
        (
            "update_message",
            json!({"message_id": 42, "readStatus": "read", "payload": {"availability": "Alive", "readStatus": "Unread"}}),
            Method::Patch,
            format!("{ME}/message-store/42"),
            Some(json!({"readStatus": "Read", "availability": "Alive"})),
        ),
        ("delete_message", json!({"message_id": "42"}), Method::Delete, format!("{ME}/message-store/42"), None),
        (
            "send_sms",
            json!({"from": "+1 (650) 555-1234", "to": "+16505559876", "text": "Hello"}),
            Method::Post,
            format!("{ME}/sms"),
            Some(
                json!({"from": {"phoneNumber": "+16505551234"}, "to": [{"phoneNumber": "+16505559876"}], "text": "Hello"}),
            ),
        ),
        (
            "list_calls",
            json!({"direction": "Outbound", "type": "Voice", "phoneNumber": "+14155550123", "dateTo": "2026-05-02"}),
            Method::Get,
            format!(
                "{ME}/call-log?dateTo=2026-05-02T00%3A00%3A00Z&direction=Outbound&type=Voice&phoneNumber=14155550123"
            ),
            None,
        ),
        (
            "list_account_calls",
            json!({"extensionNumber": "101", "type": "All", "perPage": 100}),
            Method::Get,
            "/restapi/v1.0/account/~/call-log?extensionNumber=101&perPage=100".into(),
            None,
        ),
        (
            "get_call",
            json!({"call_id": "VgLcd1KWffJVzUA"}),
            Method::Get,
            format!("{ME}/call-log/VgLcd1KWffJVzUA"),
            None,
        ),
        (
            "list_contacts",
            json!({"startsWith": "Ada L", "perPage": 10}),
            Method::Get,
            format!("{ME}/address-book/contact?startsWith=Ada%20L&perPage=10"),
            None,
        ),
        ("get_contact", json!({"contact_id": 7}), Method::Get, format!("{ME}/address-book/contact/7"), None),
        (
            "create_contact",
            json!({"firstName": "Ada", "mobilePhone": "+16505550100", "payload": {"jobTitle": "Countess", "firstName": "X"}}),
            Method::Post,
            format!("{ME}/address-book/contact"),
            Some(json!({"firstName": "Ada", "mobilePhone": "+16505550100", "jobTitle": "Countess"})),
        ),
        (
            "update_contact",
            json!({"contact_id": "7", "company": "Example"}),
            Method::Patch,
            format!("{ME}/address-book/contact/7"),
            Some(json!({"company": "Example"})),
        ),
        ("delete_contact", json!({"contact_id": "7"}), Method::Delete, format!("{ME}/address-book/contact/7"), None),
        ("get_account", json!({}), Method::Get, "/restapi/v1.0/account/~".into(), None),
        (
            "list_extensions",
            json!({"extensionType": "user", "status": "Enabled,NotActivated", "perPage": 50}),
            Method::Get,
            "/restapi/v1.0/account/~/extension?type=User&status=Enabled&status=NotActivated&perPage=50".into(),
            None,
        ),
        (
            "get_extension",
            json!({"extension_id": "123456789"}),
            Method::Get,
            "/restapi/v1.0/account/~/extension/123456789".into(),
            None,
        ),
        (
            "list_account_phone_numbers",
            json!({"usageType": "elin", "status": "Normal", "page": 1}),
            Method::Get,
            "/restapi/v1.0/account/~/phone-number?usageType=ELIN&status=Normal&page=1".into(),
            None,
        ),
        (
            "list_extension_phone_numbers",
            json!({"usageType": "DirectNumber"}),
            Method::Get,
            format!("{ME}/phone-number?usageType=DirectNumber"),
            None,
        ),
        (
            "get_presence",
            json!({"detailedTelephonyState": true}),
            Method::Get,
            format!("{ME}/presence?detailedTelephonyState=true"),
            None,
        ),
        ("get_current_user", json!([]), Method::Get, ME.into(), None),
        (
            "api_get",
            json!({"path": "/restapi/v1.0/account/~/extension?perPage=2", "params": {"type": ["User", "Department"]}}),
            Method::Get,
            "/restapi/v1.0/account/~/extension?perPage=2&type=User&type=Department".into(),
            None,
        ),
        (
            "api_post",
            json!({"path": format!("{ME}/address-book/contact?dialingPlan=US"), "payload": {"firstName": "Grace"}}),
            Method::Post,
            format!("{ME}/address-book/contact?dialingPlan=US"),
            Some(json!({"firstName": "Grace"})),
        ),
        (
            "api_put",
            json!({"path": format!("{ME}/message-store/1")}),
            Method::Put,
            format!("{ME}/message-store/1"),
            Some(json!({})),
        ),
        (
            "api_delete",
            json!({"path": format!("{ME}/address-book/contact/7")}),
            Method::Delete,
            format!("{ME}/address-book/contact/7"),
            None,
        ),
        ("sync_messages", json!({}), Method::Get, format!("{ME}/message-sync?syncType=FSync"), None),
        (
            "sync_messages",
            json!({"syncToken": "tok/1=", "messageType": "sms", "recordCount": 5}),
            Method::Get,
            format!("{ME}/message-sync?syncType=ISync&syncToken=tok%2F1%3D&messageType=SMS&recordCount=5"),
            None,
        ),
        (
            "wait_for_reply",
            json!({"from": "+1 650 555 9876", "timeout": 5}),
            Method::Get,
            format!("{ME}/message-sync?syncType=FSync"),
            None,
        ),
        (
            "get_message_content",
            json!({"message_id": 42, "attachment_id": "43"}),
            Method::Get,
            format!("{ME}/message-store/42/content/43"),
            None,
        ),
        (
            "get_call_recording",
            json!({"recording_id": "9143748323"}),
            Method::Get,
            "/restapi/v1.0/account/~/recording/9143748323/content".into(),
            None,
        ),
        (
            "send_fax",
            json!({"to": "+16505559876", "attachments": [FILE.clone()], "faxResolution": "high", "coverPageText": "Hi"}),
            Method::Post,
            format!("{ME}/fax"),
            Some(
                json!({"to": [{"phoneNumber": "+16505559876"}], "attachment": [FILE.clone()], "faxResolution": "High", "coverPageText": "Hi"}),
            ),
        ),
        (
            "send_mms",
            json!({"from": "+16505551234", "to": "+16505559876", "attachments": [FILE.clone()]}),
            Method::Post,
            format!("{ME}/mms"),
            Some(
                json!({"from": {"phoneNumber": "+16505551234"}, "to": [{"phoneNumber": "+16505559876"}], "attachments": [FILE.clone()]}),
            ),
        ),
        (
            "ring_out",
            json!({"from": "+16505551234", "to": "+16505559876", "callerId": "+16505551234", "playPrompt": false}),
            Method::Post,
            format!("{ME}/ring-out"),
            Some(
                json!({"from": {"phoneNumber": "+16505551234"}, "to": {"phoneNumber": "+16505559876"}, "callerId": {"phoneNumber": "+16505551234"}, "playPrompt": false}),
            ),
        ),
        ("get_ring_out_status", json!({"ringout_id": "5"}), Method::Get, format!("{ME}/ring-out/5"), None),
        ("cancel_ring_out", json!({"ringout_id": "5"}), Method::Delete, format!("{ME}/ring-out/5"), None),
    ];
    let covered: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for tool in TOOLS {
        assert!(covered.contains(&tool.name), "tool {} has no request case in plugin-core/src/tests.rs", tool.name);
    }
    for (tool, args, method, path, body) in cases {
        let built = ok(tool, args);
        assert_eq!(built, ApiRequest { method, path_and_query: path, body }, "{tool}");
    }
}

#[test]
fn all_means_no_filter_and_lists_are_repeated_keys() {
    let built = ok("list_messages", json!({"messageType": "All", "direction": "All", "readStatus": "all"}));
    assert_eq!(built.path_and_query, format!("{ME}/message-store"));
    let built = ok("list_messages", json!({"messageType": "Sms, Fax,SMS"}));
    assert_eq!(built.path_and_query, format!("{ME}/message-store?messageType=SMS&messageType=Fax"));
    let built = ok("list_calls", json!({"type": "Fax,All"}));
    assert_eq!(built.path_and_query, format!("{ME}/call-log"));
}

#[test]
fn missing_wrong_type_unknown_and_enum_errors_name_the_parameter() {
    let e = err("get_message", json!({}));
    assert!(e.contains("missing required parameter 'messageId'"), "{e}");
    // The seed spells it `messageId` here and `message_id` elsewhere: both are exact.
    let e = err("get_message", json!({"message_id": "1"}));
    assert!(e.contains("unknown parameter 'message_id'") && e.contains("Did you mean 'messageId'?"), "{e}");
    let e = err("update_message", json!({"messageId": "1", "readStatus": "Read"}));
    assert!(e.contains("unknown parameter 'messageId'") && e.contains("message_id"), "{e}");
    let e = err("list_messages", json!({"perPage": "10"}));
    assert!(e.contains("'perPage' must be an integer, got a string"), "{e}");
    let e = err("list_messages", json!({"messageType": "example_messageType"}));
    assert!(e.contains("'messageType' must be one of Fax, SMS, VoiceMail, Pager, All"), "{e}");
    let e = err("list_extensions", json!({"status": "Active"}));
    assert!(e.contains("'status' must be one of Enabled, Disabled, Frozen, NotActivated, Unassigned"), "{e}");
    let e = err("list_messages", json!({"messageType": "SMS,"}));
    assert!(e.contains("'messageType'"), "{e}");
    let e = err("update_message", json!({"message_id": "1", "readStatus": "Read,Unread"}));
    assert!(e.contains("'readStatus' must be one of Read, Unread, got"), "{e}");
    let e = err("get_presence", json!({"detailedTelephonyState": "yes"}));
    assert!(e.contains("'detailedTelephonyState' must be a boolean"), "{e}");
    let e = err("get_account", json!({"accountId": "1"}));
    assert!(e.contains("unknown parameter 'accountId'") && e.contains("Allowed parameters: none"), "{e}");
    let e = err("list_messages", json!("Sms"));
    assert!(e.contains("arguments must be an object"), "{e}");
}

#[test]
fn per_page_and_page_are_bounded() {
    for bad in [0, 1001, -5] {
        let e = err("list_contacts", json!({"perPage": bad}));
        assert!(e.contains("'perPage' must be between 1 and 1000"), "{e}");
    }
    assert!(err("list_calls", json!({"page": 0})).contains("'page' must be between 1"));
    assert!(ok("list_calls", json!({"perPage": 1000.0})).path_and_query.ends_with("perPage=1000"));
    assert!(err("list_calls", json!({"perPage": 10.5})).contains("'perPage' must be an integer"));
}

#[test]
fn unsafe_ids_are_refused() {
    for id in ["", " ", "1,2", "*", "1/2", "..", "1?x=1", "1#", "%2e", "1 2", "a\tb", "..1"] {
        for (tool, param) in [
            ("get_message", "messageId"),
            ("delete_message", "message_id"),
            ("get_call", "call_id"),
            ("delete_contact", "contact_id"),
            ("get_extension", "extension_id"),
        ] {
            let e = err(tool, json!({ param: id }));
            assert!(e.contains(&format!("'{param}' must be a single record ID")), "{tool} {id:?}: {e}");
        }
    }
    assert!(err("get_message", json!({"messageId": 1.5})).contains("whole number"));
    assert!(err("get_message", json!({"messageId": true})).contains("must be a record ID"));
}

#[test]
fn api_paths_stay_relative_and_under_restapi() {
    for path in [
        "https://evil.example/restapi/v1.0/account/~",
        "//evil.example/restapi/v1.0",
        "/restapi/v1.0/../oauth/token",
        "/restapi/v1.0/account/~/%2e%2e/%2E%2E/x",
        "/restapi/v1.0/account%2F~",
        "/restapi/oauth/token",
        "/account/~",
        "restapi/v1.0/account/~",
        "/restapi/v1.0/account/~ x",
        "/restapi/v1.0/account/~#frag",
        "/restapi/v1.0/./account",
        "",
    ] {
        for tool in ["api_get", "api_post", "api_put", "api_delete"] {
            let e = err(tool, json!({ "path": path }));
            assert!(e.contains("'path' is not a relative RingCentral API path"), "{tool} {path:?}: {e}");
        }
    }
    assert!(
        err("api_get", json!({"path": "/restapi/v1.0/account/~", "params": {"a": {"b": 1}}})).contains("'params.a'")
    );
}

#[test]
fn dates_phones_and_texts_are_checked() {
    for bad in ["example_dateFrom", "2026-13-01", "2026-05-01T00:00:00", "2026-05-01 00:00:00Z", "yesterday"] {
        let e = err("list_messages", json!({"dateFrom": bad}));
        assert!(e.contains("'dateFrom' must be an ISO 8601 date-time with a time zone"), "{bad}: {e}");
    }
    for good in ["2026-05-01T00:00:00Z", "2026-05-01T23:59:59.123+02:00", "2026-05-01T00:00:00.000Z"] {
        assert!(ok("list_calls", json!({"dateFrom": good})).path_and_query.contains("dateFrom="), "{good}");
    }
    for bad in ["example_from", "", "+", "12", "+1234567890123456", "650-CALL-NOW"] {
        let e = err("send_sms", json!({"from": bad, "to": "+16505559876", "text": "x"}));
        assert!(e.contains("'from' must be a phone number in E.164 format"), "{bad}: {e}");
    }
    let e = err("send_sms", json!({"from": "+16505551234", "to": "+16505559876", "text": ""}));
    assert!(e.contains("'text' must be 1 to 1000 characters"), "{e}");
    let e = err("send_sms", json!({"from": "+16505551234", "to": "+16505559876", "text": "😀".repeat(501)}));
    assert!(e.contains("got 1002"), "{e}");
    assert!(
        ok("send_sms", json!({"from": "+16505551234", "to": "+16505559876", "text": "😀".repeat(500)})).body.is_some()
    );
}

#[test]
fn updates_and_creates_need_something_to_send() {
    let e = err("update_contact", json!({"contact_id": "7"}));
    assert!(e.contains("nothing to send; give at least one of: firstName"), "{e}");
    let e = err("update_message", json!({"message_id": "7", "payload": {}}));
    assert!(e.contains("readStatus, payload"), "{e}");
    assert!(err("create_contact", json!({})).contains("nothing to send"));
}

#[test]
fn exclusive_filters_are_refused_together() {
    let e = err("list_account_calls", json!({"extensionNumber": "101", "phoneNumber": "+16505550100"}));
    assert!(e.contains("either 'extensionNumber' or 'phoneNumber'"), "{e}");
}

#[test]
fn schemas_follow_the_table() {
    let list = schema::input_schema(find("list_messages").unwrap());
    assert_eq!(list["additionalProperties"], false);
    assert_eq!(list["required"], json!([]));
    assert_eq!(list["properties"]["perPage"]["maximum"], 1000);
    let message_type = &list["properties"]["messageType"];
    assert_eq!(message_type["anyOf"][0]["enum"], json!(["Fax", "SMS", "VoiceMail", "Pager", "All"]));
    assert_eq!(
        message_type["anyOf"][1]["pattern"],
        "^ *(Fax|SMS|VoiceMail|Pager|All)( *, *(Fax|SMS|VoiceMail|Pager|All))* *$"
    );
    let update = schema::input_schema(find("update_message").unwrap());
    assert_eq!(update["required"], json!(["message_id"]));
    assert_eq!(update["properties"]["readStatus"]["enum"], json!(["Read", "Unread"]));
    assert_eq!(update["properties"]["readStatus"]["description"], "Read or Unread.");
}

#[test]
fn docs_are_the_seed_reference_plus_one_page_per_tool() {
    let full = docs::read("").unwrap();
    assert!(full.starts_with(docs::OVERVIEW));
    for tool in TOOLS {
        let page = docs::read(tool.name).unwrap();
        assert!(page.contains(tool.description), "{}", tool.name);
        assert!(page.contains(&format!("`app.integrations.ringcentral.{}`", tool.name)), "{}", tool.name);
        assert!(full.contains(&format!("### ringcentral.{} (", tool.name)), "{}", tool.name);
        let window = page.contains("last 24 hours");
        assert_eq!(window, ["list_messages", "list_calls", "list_account_calls"].contains(&tool.name), "{}", tool.name);
    }
    assert_eq!(docs::read("ringcentral.send_sms"), docs::read("send_sms"));
    assert_eq!(docs::read("no_such_tool"), None);
    assert!(docs::read("list_extensions").unwrap().contains("Sent as `type`."));
}

#[test]
fn did_you_mean_ignores_case_as_unicode_lowercasing_would() {
    // The reference: Unicode's `to_lowercase`, which the plugin no longer carries.
    fn edit_distance(a: &str, b: &str, substitution: usize) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + if ca == cb { 0 } else { substitution });
                prev = row[j + 1];
                row[j + 1] = next;
            }
        }
        row[b.len()]
    }
    let reference = |word: &str, candidates: &[&'static str]| {
        candidates
            .iter()
            .map(|c| {
                let (word, c_lower) = (word.to_lowercase(), c.to_lowercase());
                (edit_distance(&word, &c_lower, 1), edit_distance(&word, &c_lower, 2), *c)
            })
            .filter(|(d, _, c)| *d <= (c.len() / 3).max(2))
            .min_by_key(|(d, indels, _)| (*d, *indels))
            .map(|(_, _, c)| c)
    };
    let tools: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
    let params: Vec<&str> = TOOLS.iter().flat_map(|t| t.params.iter().map(|p| p.name)).collect();
    let words = [
        "LIST_MESSAGES",
        "list_mesages",
        "\u{212A}",
        "list_\u{212A}ontacts",
        "\u{130}d",
        "L\u{130}ST_MESSAGES",
        "perPAGE",
        "P\u{c4}GE",
        "\u{3a3}END_SMS",
        "SEND_SM\u{3a3}",
        "messageİd",
        "d\u{130}",
        "frobnicate",
        "",
    ];
    for candidates in [&tools[..], &params[..], &["id", "k", "kind"]] {
        for word in words {
            assert_eq!(closest(word, candidates), reference(word, candidates), "{word:?} among {candidates:?}");
        }
    }
    // The two characters whose lowercase holds an ASCII letter (plain ASCII folding would pick "x").
    assert_eq!(closest("\u{212A}", &["x", "k"]), Some("k"));
    assert_eq!(closest("\u{130}", &["xy", "ia"]), Some("ia"));
}

#[test]
fn api_paths_may_be_absolute_on_the_accounts_server_and_under_documented_prefixes() {
    let tool = find("api_get").unwrap();
    let origin = "https://platform.ringcentral.com";
    let next = json!({"path": "https://Platform.RingCentral.com/restapi/v1.0/account/~/extension?page=2&perPage=2"});
    let built = crate::request::build_for(tool, &next, origin, None).unwrap();
    assert_eq!(built.path_and_query, "/restapi/v1.0/account/~/extension?page=2&perPage=2");
    for elsewhere in ["https://evil.example/restapi/v1.0/account/~", "https://platform.ringcentral.com.evil.example/x"]
    {
        let e = crate::request::build_for(tool, &json!({ "path": elsewhere }), origin, None).unwrap_err();
        assert!(e.contains("unless on the account's server https://platform.ringcentral.com"), "{e}");
    }
    for documented in ["/team-messaging/v1/chats", "/scim/v2/Users", "/rcvideo/v2/bridges", "/ai/status/v1/jobs/1"] {
        assert_eq!(
            crate::request::build_for(tool, &json!({ "path": documented }), origin, None).unwrap().path_and_query,
            documented
        );
    }
    let e = err("api_get", json!({"path": "/somewhere/else"}));
    assert!(e.contains("must start with /restapi/ or another documented prefix"), "{e}");
}

#[test]
fn every_invalid_argument_is_reported_in_one_error() {
    let e = err("list_messages", json!({"perPage": 0, "direction": "Sideways", "colour": "red"}));
    assert!(e.starts_with("list_messages: 3 problems: unknown parameter 'colour'"), "{e}");
    assert!(e.contains("'perPage' must be between 1 and 1000") && e.contains("'direction' must be one of"), "{e}");
    let one = err("list_messages", json!({"perPage": 0}));
    assert!(one.starts_with("list_messages: parameter 'perPage' must be between"), "{one}");
}

#[test]
fn a_national_number_gets_the_home_country_and_without_one_is_refused_with_the_e164_form() {
    use crate::phone::HomeCountry;
    use crate::request::{build_in, needs_home_country};
    let tool = find("send_sms").unwrap();
    let args = json!({"from": "+16505551234", "to": "650-555-9876", "text": "hi"});
    assert!(needs_home_country(tool, &args));
    assert!(!needs_home_country(tool, &json!({"from": "+16505551234", "to": "+16505559876", "text": "hi"})));
    let us = HomeCountry { iso_code: "US".into(), calling_code: "1".into() };
    let built = build_in(tool, &args, Some(&us)).unwrap();
    assert_eq!(built.body.unwrap()["to"], json!([{"phoneNumber": "+16505559876"}]));
    let refused = err("send_sms", args);
    assert!(refused.contains("\"+16505559876\""), "{refused}");
    assert!(!refused.contains("\"+6505559876\""), "{refused}");
}

#[test]
fn effects_follow_what_a_write_does_to_what_is_there() {
    let destructive: Vec<&str> = TOOLS.iter().filter(|t| t.destructive()).map(|t| t.name).collect();
    let repeatable_writes: Vec<&str> = TOOLS
        .iter()
        .filter(|t| t.idempotent() && t.operation == crate::tools::Operation::Write)
        .map(|t| t.name)
        .collect();
    for name in
        ["update_message", "delete_message", "update_contact", "delete_contact", "api_post", "api_put", "api_delete"]
    {
        assert!(destructive.contains(&name), "{name} may delete or overwrite: {destructive:?}");
    }
    for name in ["send_sms", "create_contact"] {
        assert!(!destructive.contains(&name) && !repeatable_writes.contains(&name), "{name} adds, once a call");
    }
    assert!(
        TOOLS
            .iter()
            .filter(|t| t.operation == crate::tools::Operation::Read)
            .all(|t| t.idempotent() && !t.destructive())
    );
    assert!(repeatable_writes.contains(&"delete_contact") && !repeatable_writes.contains(&"api_post"));
}

#[test]
fn output_schemas_are_object_schemas_that_describe_pages_and_no_content() {
    let list = schema::output_schema(find("list_messages").unwrap());
    assert_eq!(list["required"], json!(["records"]));
    assert_eq!(list["properties"]["records"]["items"]["properties"]["id"]["type"], "integer");
    let deleted = schema::output_schema(find("delete_contact").unwrap());
    assert_eq!(deleted["required"], json!(["success", "status"]));
    let synced = schema::output_schema(find("sync_messages").unwrap());
    assert_eq!(synced["properties"]["syncInfo"]["properties"]["syncToken"]["type"], "string");
    assert!(synced["properties"].get("paging").is_none(), "a sync answers no paging: {synced}");
    let replies = schema::output_schema(find("wait_for_reply").unwrap());
    assert_eq!(replies["properties"]["timedOut"]["type"], "boolean");
    assert_eq!(replies["properties"]["records"]["items"]["properties"]["direction"]["type"], "string");
    // Media: what the host returns, saved (`path`) or not (`contentBase64`; over MCP a media block).
    let media = schema::output_schema(find("get_call_recording").unwrap());
    assert_eq!(media["required"], json!(["contentType", "size"]));
    assert_eq!(media["properties"]["path"]["type"], "string");
    for tool in TOOLS {
        assert_eq!(schema::output_schema(tool)["type"], "object", "{}", tool.name);
    }
}

#[test]
fn host_arguments_and_unread_files_are_refused_by_the_plugin() {
    // A host that does not know the media convention would pass these on: say so, send nothing.
    let e = err("get_call_recording", json!({"recording_id": "1", "save_to": "a.mp3"}));
    assert!(e.contains("'save_to' is for the host") && e.contains("leave 'save_to' out"), "{e}");
    let e = err("send_fax", json!({"to": "+16505559876", "attachments": ["invoice.pdf"]}));
    assert!(e.contains("holds paths of local files, which the host reads"), "{e}");
    let e = err("send_mms", json!({"from": "+16505551234", "to": "+16505559876", "attachments": []}));
    assert!(e.contains("'attachments' must name 1 to 10 files, got 0"), "{e}");
    let e = err("send_fax", json!({"to": "+16505559876", "attachments": "a.pdf"}));
    assert!(e.contains("'attachments' must be a list of file paths"), "{e}");
    let e = err("send_fax", json!({"to": "+16505559876", "attachments": [FILE.clone()], "faxResolution": "Ultra"}));
    assert!(e.contains("'faxResolution' must be one of High, Low"), "{e}");
    let e = err("wait_for_reply", json!({"timeout": 26}));
    assert!(e.contains("'timeout' must be between 1 and 25"), "{e}");
    let e = err("sync_messages", json!({"recordCount": 251}));
    assert!(e.contains("'recordCount' must be between 1 and 250"), "{e}");
    let e = err("ring_out", json!({"from": "+16505551234"}));
    assert!(e.contains("missing required parameter 'to'"), "{e}");
}

#[test]
fn media_and_file_properties_carry_the_host_mark() {
    let recording = schema::input_schema(find("get_call_recording").unwrap());
    assert_eq!(recording["properties"]["save_to"][schema::HOST_MARK], "save_to");
    assert_eq!(recording["properties"]["overwrite"][schema::HOST_MARK], "overwrite");
    assert_eq!(recording["properties"]["overwrite"]["type"], "boolean");
    let fax = schema::input_schema(find("send_fax").unwrap());
    assert_eq!(fax["properties"]["attachments"][schema::HOST_MARK], "local_files");
    assert_eq!(fax["properties"]["attachments"]["items"]["type"], "string");
    assert_eq!(fax["properties"]["attachments"]["maxItems"], 10);
    for tool in TOOLS {
        let marked = schema::input_schema(tool)["properties"]
            .as_object()
            .unwrap()
            .values()
            .filter(|p| p.get(schema::HOST_MARK).is_some())
            .count();
        let expected = match tool.name {
            "get_message_content" | "get_call_recording" => 2,
            "send_fax" | "send_mms" => 1,
            _ => 0,
        };
        assert_eq!(marked, expected, "{}", tool.name);
    }
    assert!(docs::read("send_fax").unwrap().contains("multipart/form-data"));
    assert!(docs::read("get_call_recording").unwrap().contains("Handled by the host; never sent."));
}

#[test]
fn file_tools_go_out_as_one_form_and_the_rest_as_json() {
    let fax = find("send_fax").unwrap();
    let built = ok(
        "send_fax",
        json!({"to": "+16505559876", "attachments": [FILE.clone(), FILE.clone()], "coverPageText": "Hi"}),
    );
    let (content_type, bytes) = crate::request::encode_body(fax, built.body.as_ref().unwrap()).unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("a form");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 4, "to, two files, the cover text:\n{text}");
    assert!(text.ends_with(&format!("--{boundary}--\r\n")), "{text}");
    assert!(
        text.contains("name=\"to\"\r\nContent-Type: application/json\r\n\r\n[{\"phoneNumber\":\"+16505559876\"}]\r\n"),
        "{text}"
    );
    assert!(
        text.contains("name=\"attachment\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-\r\n"),
        "{text}"
    );
    assert!(text.contains("name=\"coverPageText\"\r\n\r\nHi\r\n"), "{text}");
    let sms = find("send_sms").unwrap();
    let built = ok("send_sms", json!({"from": "+16505551234", "to": "+16505559876", "text": "x"}));
    let (content_type, _) = crate::request::encode_body(sms, built.body.as_ref().unwrap()).unwrap();
    assert_eq!(content_type, "application/json");
}
