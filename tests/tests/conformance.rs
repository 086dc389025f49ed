//! Every request the tools send is checked against RingCentral's OpenAPI
//! description (`../shared/reference/rc-public-openapi.yml`): method, path
//! template, query parameter names and enum values, JSON body schema. These
//! tests skip, loudly, only when that file is absent; CI has it.

use std::collections::BTreeMap;

use kosmo_harness::conformance::{Spec, WireRequest};
use kosmo_harness::*;
use ringcentral_core::request::build;
use ringcentral_core::tools::{Kind, Place, TOOLS, Tool};
use serde_json::{Map, Value, json};

fn spec() -> Option<&'static Spec> {
    let spec = Spec::get();
    if spec.is_none() {
        eprintln!("conformance: SKIPPED, the OpenAPI description is absent");
    }
    spec
}

/// One script that calls all 24 tools, several of them in more than one way.
fn every_tool_script() -> String {
    let since = seed::iso_days_ago(30);
    let until = seed::iso_days_ago(0);
    let contacts = "/restapi/v1.0/account/~/extension/~/address-book/contact";
    format!(
        r#"local rc = app.integrations.ringcentral
        rc.list_messages({{messageType = "Sms,Fax", dateFrom = "{since}", dateTo = "{until}", direction = "Inbound",
                          readStatus = "Unread", perPage = 10, page = 1}})
        rc.list_messages({{messageType = "VoiceMail", direction = "All", readStatus = "Read"}})
        rc.get_message({{messageId = "1234567890"}})
        rc.update_message({{message_id = "1234567890", readStatus = "Read"}})
        rc.update_message({{message_id = "1234567890", payload = {{availability = "Alive"}}}})
        rc.delete_message({{message_id = "1234567890"}})
        rc.send_sms({{from = "+16505551234", to = "+16505559876", text = "conformance check"}})
        rc.list_calls({{dateFrom = "{since}", dateTo = "{until}", direction = "Inbound", type = "Voice",
                       phoneNumber = "+14155550110", perPage = 10, page = 1}})
        local call = rc.list_calls({{type = "Voice,Fax"}}).records[1]
        rc.get_call({{call_id = call.id}})
        rc.list_account_calls({{dateFrom = "{since}", dateTo = "{until}", direction = "Outbound", type = "Fax",
                               extensionNumber = "101", perPage = 5, page = 1}})
        rc.list_account_calls({{phoneNumber = "16505550100"}})
        rc.list_contacts({{startsWith = "A", perPage = 5, page = 1}})
        rc.get_contact({{contact_id = "620000001"}})
        local created = rc.create_contact({{firstName = "Ada", lastName = "Lovelace", company = "Analytical Engines",
            email = "ada@example.test", businessPhone = "+16505550111", mobilePhone = "+16505550100",
            payload = {{jobTitle = "Countess", notes = "first programmer", businessAddress = {{city = "London", country = "GB"}}}}}})
        rc.update_contact({{contact_id = created.id, company = "Example", payload = {{nickName = "Ada"}}}})
        rc.delete_contact({{contact_id = created.id}})
        rc.get_account({{}})
        rc.list_extensions({{extensionType = "User,Department", status = "Enabled", perPage = 10, page = 1}})
        rc.get_extension({{extension_id = "123456789"}})
        rc.list_account_phone_numbers({{usageType = "DirectNumber,MainCompanyNumber", status = "Normal", perPage = 10, page = 1}})
        rc.list_extension_phone_numbers({{usageType = "DirectNumber", perPage = 10, page = 1}})
        rc.get_presence({{detailedTelephonyState = true}})
        rc.get_current_user({{}})
        rc.api_get({{path = "/restapi/v1.0/account/~/extension", params = {{type = {{"User", "Department"}}, status = "Enabled", perPage = 2}}}})
        local grace = rc.api_post({{path = "{contacts}", payload = {{firstName = "Grace"}}}})
        rc.api_put({{path = "{contacts}/" .. grace.id, payload = {{firstName = "Grace", lastName = "Hopper"}}}})
        rc.api_put({{path = "/restapi/v1.0/account/~/extension/~/message-store/1234567890", payload = {{readStatus = "Unread"}}}})
        rc.api_delete({{path = "{contacts}/" .. grace.id}})"#
    )
}

#[test]
fn every_request_of_all_24_tools_conforms_to_the_openapi_description() {
    let Some(spec) = spec() else { return };
    let bench = Bench::start();
    let envelope = bench.lua(&every_tool_script());
    assert_eq!(envelope["success"], true, "{envelope:#}");
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
    let missing: Vec<&str> = TOOLS.iter().map(|t| t.name).filter(|n| !coverage.contains_key(n)).collect();
    eprintln!("conformance: {}/{} tools", coverage.len(), TOOLS.len());
    assert!(missing.is_empty(), "tools with no checked request: {missing:?}");
    assert_eq!(coverage.len(), 24);
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
            if tool.exclusive.iter().any(|(_, b)| *b == p.name) {
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
            let body = request.body.as_ref().map(Value::to_string).unwrap_or_default();
            let wire = WireRequest {
                method: request.method.as_str(),
                path,
                query,
                content_type: request.body.as_ref().map(|_| "application/json"),
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
    ];
    for (method, path, query, body, expected) in cases {
        let wire = WireRequest { method, path, query, content_type: Some("application/json"), body };
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
