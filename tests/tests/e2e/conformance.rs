//! Every request the tools send is checked against RingCentral's OpenAPI
//! description (`../shared/reference/rc-public-openapi.yml`): method, path
//! template, query parameter names and enum values, JSON body schema. The run
//! is driven by the tool table: every tool's docs example, plus extra calls
//! for some, so a new tool is covered through its example. These
//! tests skip, loudly, only when that file is absent; CI has it.

use std::collections::BTreeMap;

use kosmo_harness::conformance::{Spec, WireRequest};
use kosmo_harness::*;
use ringcentral_core::request::{build, encode_body};
use ringcentral_core::tools::{Kind, Place, TOOLS, Tool, find};
use serde_json::{Map, Value, json};

fn spec() -> Option<&'static Spec> {
    let spec = Spec::get();
    if spec.is_none() {
        eprintln!("conformance: SKIPPED, the OpenAPI description is absent");
    }
    spec
}

/// Ways of calling a tool beyond its docs example (the Lua table fields of one
/// call each), which the conformance run makes too: other filters, enum
/// values, lists and payloads. A tool needs none; its example always runs.
fn extra_calls() -> Vec<(&'static str, String)> {
    let since = seed::iso_days_ago(30);
    let until = seed::iso_days_ago(0);
    let contacts = "/restapi/v1.0/account/~/extension/~/address-book/contact";
    vec![
        (
            "list_messages",
            format!(
                r#"messageType = "Sms,Fax", dateFrom = "{since}", dateTo = "{until}", direction = "Inbound",
                   readStatus = "Unread", perPage = 10, page = 1"#
            ),
        ),
        ("list_messages", r#"messageType = "VoiceMail", direction = "All", readStatus = "Read""#.into()),
        ("update_message", r#"message_id = "1234567890", payload = {availability = "Alive"}"#.into()),
        (
            "list_calls",
            format!(
                r#"dateFrom = "{since}", dateTo = "{until}", direction = "Inbound", type = "Voice",
                   phoneNumber = "+14155550110", perPage = 10, page = 1"#
            ),
        ),
        ("list_calls", r#"type = "Voice,Fax""#.into()),
        (
            "list_account_calls",
            format!(
                r#"dateFrom = "{since}", dateTo = "{until}", direction = "Outbound", type = "Fax",
                   extensionNumber = "101", perPage = 5, page = 1"#
            ),
        ),
        // With its country code: a number without one costs a home-country lookup first.
        ("list_account_calls", r#"phoneNumber = "+16505550100""#.into()),
        ("list_contacts", r#"startsWith = "A", perPage = 5, page = 1"#.into()),
        (
            "create_contact",
            r#"firstName = "Ada", lastName = "Lovelace", company = "Analytical Engines", email = "ada@example.test",
               businessPhone = "+16505550111", mobilePhone = "+16505550100",
               payload = {jobTitle = "Countess", notes = "first programmer", businessAddress = {city = "London", country = "GB"}}"#
                .into(),
        ),
        ("update_contact", r#"contact_id = "620000001", company = "Example", payload = {nickName = "Ada"}"#.into()),
        ("list_extensions", r#"extensionType = "User,Department", status = "Enabled", perPage = 10, page = 1"#.into()),
        (
            "list_account_phone_numbers",
            r#"usageType = "DirectNumber,MainCompanyNumber", status = "Normal", perPage = 10, page = 1"#.into(),
        ),
        ("list_extension_phone_numbers", r#"usageType = "DirectNumber", perPage = 10, page = 1"#.into()),
        (
            "api_get",
            r#"path = "/restapi/v1.0/account/~/extension", params = {type = {"User", "Department"}, status = "Enabled", perPage = 2}"#
                .into(),
        ),
        ("api_put", format!(r#"path = "{contacts}/620000001", payload = {{firstName = "Grace", lastName = "Hopper"}}"#)),
    ]
}

/// One script, in table order: each tool's docs example, then its extra calls.
fn every_tool_script() -> String {
    let extras = extra_calls();
    for (tool, _) in &extras {
        assert!(find(tool).is_some(), "an extra call of {tool}, which is not in the tool table");
    }
    let mut script = String::new();
    for tool in TOOLS {
        script.push_str(&format!("do\n{}end\n", contract::example_call(tool)));
        for (_, args) in extras.iter().filter(|(name, _)| *name == tool.name) {
            script.push_str(&format!("app.integrations.ringcentral.{}({{{args}}})\n", tool.name));
        }
    }
    script
}

#[test]
fn every_request_of_every_tool_conforms_to_the_openapi_description() {
    let Some(spec) = spec() else { return };
    let bench = Bench::start();
    let script = every_tool_script();
    let envelope = bench.lua(&script);
    assert_eq!(envelope["success"], true, "{script}\n{envelope:#}");
    let calls = envelope["integration_calls"].as_array().unwrap();
    let requests = bench.sim.requests();
    assert_eq!(calls.len(), requests.len(), "one request per call");

    let mut coverage: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for (call, request) in calls.iter().zip(&requests) {
        let tool = call["path"].as_str().unwrap().rsplit('.').next().unwrap();
        match spec.check(&WireRequest::from_log(request)) {
            Ok(matched) => coverage.entry(tool).or_default().push(matched.operation_id),
            Err(problems) => failures
                .push(format!("{tool}: {} {}?{}: {problems:?}", request["method"], request["path"], request["query"])),
        }
    }
    assert!(failures.is_empty(), "non-conforming requests:\n{}", failures.join("\n"));
    for (tool, operations) in &coverage {
        eprintln!("conformance: {tool:<30} {}", operations.join(", "));
    }
    eprintln!("conformance: {}/{} tools", coverage.len(), TOOLS.len());
    let missing: Vec<&str> = TOOLS.iter().map(|t| t.name).filter(|n| !coverage.contains_key(n)).collect();
    assert!(missing.is_empty(), "tools with no checked request: {missing:?}");
    let covered: Vec<&str> = coverage.keys().copied().collect();
    let mut table = contract::tool_names();
    table.sort_unstable();
    assert_eq!(covered, table, "the checked tools are the table's tools");
}

/// A sample argument of the right kind for `param`.
fn sample(tool: &Tool, name: &str, kind: Kind) -> Value {
    match (kind, name) {
        (Kind::Id, _) => json!("1234567890"),
        (Kind::ApiPath, _) => json!("/restapi/v1.0/account/~"),
        (Kind::DateTime, _) => json!("2026-05-01T00:00:00Z"),
        (Kind::Phone { .. }, _) => json!("+16505551234"),
        (Kind::Text { .. }, _) => json!("hello"),
        (Kind::Integer { .. }, _) => json!(1),
        (Kind::Boolean, _) => json!(true),
        (Kind::Object, _) => json!({}),
        // As the host hands files over (media convention, README).
        (Kind::LocalFiles { .. }, _) => {
            json!([{"filename": "a.pdf", "contentType": "application/pdf", "contentBase64": "JVBERi0="}])
        }
        (Kind::String, "extensionNumber") => json!("101"),
        (Kind::String, "email") => json!("ada@example.test"),
        (Kind::String, _) if tool.name.contains("contact") => json!("Ada"),
        (Kind::String, _) => json!("A"),
    }
}

/// The table, tool by tool, against the spec: every parameter in its place,
/// every enumerated value accepted by the API, and every value the API
/// enumerates accepted by the tool.
#[test]
fn the_tool_table_agrees_with_the_spec() {
    let Some(spec) = spec() else { return };
    let mut problems = Vec::new();
    for tool in TOOLS.iter().filter(|t| !t.path.is_empty()) {
        // All parameters at once (minus pairs the API refuses to combine).
        let mut args = Map::new();
        for p in tool.params {
            // What the host takes out never reaches the plugin.
            if tool.exclusive.iter().any(|(_, b)| *b == p.name) || matches!(p.place, Place::Host(_)) {
                continue;
            }
            let value = match &p.choices {
                Some(choices) => json!(choices.values[0]),
                None => sample(tool, p.name, p.kind),
            };
            args.insert(p.name.to_string(), value);
        }
        let mut requests = vec![build(tool, &Value::Object(args.clone())).expect("sample arguments are valid")];
        for (_, second) in tool.exclusive {
            let mut other = args.clone();
            other.retain(|k, _| tool.exclusive.iter().all(|(first, _)| first != k));
            other.insert(second.to_string(), sample(tool, second, tool.param(second).unwrap().kind));
            requests.push(build(tool, &Value::Object(other)).expect("valid"));
        }
        // Every accepted value of every enumerated parameter.
        for p in tool.params {
            let Some(choices) = &p.choices else { continue };
            for value in choices.values {
                let mut one = Map::new();
                for q in tool.params.iter().filter(|q| q.required) {
                    one.insert(q.name.to_string(), sample(tool, q.name, q.kind));
                }
                one.insert(p.name.to_string(), json!(value));
                requests.push(build(tool, &Value::Object(one)).expect("an accepted value builds"));
            }
            // What the spec enumerates, the tool accepts.
            if let Place::Query(api) = p.place {
                let template =
                    spec.template_for(tool.method.as_str(), &tool.path.replace(['{', '}'], "")).unwrap_or_default();
                let declared = spec.query_enum(tool.method.as_str(), &template, api).unwrap_or_default();
                for value in declared {
                    if !choices.values.contains(&value.as_str()) {
                        problems.push(format!("{}.{}: the spec's {api}={value} is not accepted", tool.name, p.name));
                    }
                }
            }
        }
        for request in requests {
            let (path, query) = request.path_and_query.split_once('?').unwrap_or((&request.path_and_query, ""));
            let encoded = request.body.as_ref().map(|b| encode_body(tool, b).expect("the body encodes"));
            let body =
                encoded.as_ref().map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned()).unwrap_or_default();
            let wire = WireRequest {
                method: request.method.as_str(),
                path,
                query,
                content_type: encoded.as_ref().map(|(content_type, _)| content_type.as_str()),
                body: &body,
            };
            if let Err(why) = spec.check(&wire) {
                problems.push(format!(
                    "{}: {} {}: {why:?}",
                    tool.name,
                    request.method.as_str(),
                    request.path_and_query
                ));
            }
        }
    }
    assert!(problems.is_empty(), "the tool table departs from the spec:\n{}", problems.join("\n"));
}

/// The checker itself fails on what the spec does not allow: a conformance
/// test that cannot fail proves nothing.
#[test]
fn the_checker_rejects_requests_the_spec_does_not_allow() {
    let Some(spec) = spec() else { return };
    let me = "/restapi/v1.0/account/~/extension/~";
    let sms = format!("{me}/sms");
    let store = format!("{me}/message-store");
    let one = format!("{me}/message-store/1");
    let contact = format!("{me}/address-book/contact/1");
    let presence = format!("{me}/presence");
    let (fax, mms) = (format!("{me}/fax"), format!("{me}/mms"));
    const FORM: &str = "multipart/form-data; boundary=kb";
    let fax_form = |part: &str| format!("--kb\r\nContent-Disposition: form-data; {part}\r\n--kb--\r\n");
    let fax_to = fax_form("name=\"to\"\r\nContent-Type: application/json\r\n\r\n[{\"phoneNumber\":\"+1\"}]");
    let fax_file = fax_form("name=\"attachment\"; filename=\"a.pdf\"\r\n\r\n%PDF");
    let fax_field = fax_form("name=\"resolution\"\r\n\r\nHigh");
    let cases: Vec<(&str, &str, &str, &str, &str)> = vec![
        ("GET", "/restapi/v1.0/nowhere", "", "", "no such path"),
        ("POST", &store, "", "", "the spec has only"),
        ("GET", &store, "extensionType=User", "", "\"extensionType\" is not declared"),
        ("GET", &store, "messageType=Sms", "", "\"Sms\" is not an allowed item"),
        ("GET", &store, "dateFrom=yesterday", "", "dateFrom"),
        ("GET", "/restapi/v1.0/account/~/extension", "type=Robot", "", "\"Robot\" is not an allowed item"),
        ("GET", &presence, "detailedTelephonyState=yes", "", "\"yes\" is not allowed"),
        ("GET", &presence, "detailedTelephonyState=true&detailedTelephonyState=false", "", "not an array"),
        ("POST", &sms, "", r#"{"from":"+16505551234","to":[{"phoneNumber":"+16505559876"}],"text":"x"}"#, "from"),
        (
            "POST",
            &sms,
            "",
            r#"{"from":{"phoneNumber":"+1"},"to":[{"phoneNumber":"+2"}]}"#,
            "\"text\" is a required property",
        ),
        ("PATCH", &one, "", r#"{"readStatus":"Seen"}"#, "readStatus"),
        ("PATCH", &contact, "", r#"{"fristName":"Ada"}"#, "body.fristName is not a field"),
        ("GET", &one, "", r#"{"readStatus":"Read"}"#, "takes no JSON body"),
        ("POST", &fax, "", &fax_to, "\"attachment\" is a required property"),
        ("POST", &fax, "", &fax_file, "has no Content-Type"),
        ("POST", &fax, "", &fax_field, "form.resolution is not a field"),
        ("POST", &mms, "", "--kb\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi", "closing delimiter"),
    ];
    for (method, path, query, body, expected) in cases {
        let content_type = if body.starts_with("--kb") { FORM } else { "application/json" };
        let wire = WireRequest { method, path, query, content_type: Some(content_type), body };
        match spec.check(&wire) {
            Ok(matched) => panic!("{method} {path}?{query} {body} passed as {matched:?}"),
            Err(problems) => {
                assert!(
                    problems.iter().any(|p| p.contains(expected)),
                    "{method} {path}?{query}: {expected:?} not in {problems:?}"
                )
            }
        }
    }
    // And it accepts what the spec allows.
    let fine = WireRequest {
        method: "GET",
        path: &store,
        query: "messageType=SMS&messageType=Fax&perPage=5",
        content_type: None,
        body: "",
    };
    assert_eq!(spec.check(&fine).map(|m| m.operation_id), Ok("listMessages".to_string()));
}

/// The harness really checks: a bench whose script sent a request outside the
/// spec fails the test when it is dropped.
#[test]
fn a_bench_fails_a_test_whose_requests_do_not_conform() {
    let Some(_) = spec() else { return };
    let outcome = std::panic::catch_unwind(|| {
        let bench = Bench::start();
        let result = bench.lua_ok(
            r#"return app.integrations.ringcentral.api_get({path = "/restapi/v1.0/account/~/extension",
                                                           params = {extensionType = "User"}}).records"#,
        );
        assert!(result.is_array(), "the simulator ignores the unknown parameter: {result}");
    });
    let message = outcome.expect_err("the drop check must fail this test");
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("do not conform"), "{message}");
    assert!(message.contains("query parameter \"extensionType\" is not declared by listExtensions"), "{message}");
}
