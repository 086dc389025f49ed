//! Each tool's output schema (the table's `output`, served as MCP's
//! `outputSchema`) against RingCentral's spec: every field it names is a
//! property of the operation's success response, of the type the spec gives
//! it, and a delete's `Done` stands for an operation that answers no content.
//! A message sync's records and token are the sync response's; `Media` stands
//! for an operation that answers binary content only, which the host saves or
//! hands on (`{contentType, size}` and `path` or `contentBase64`, README "Media
//! and files"). The spec is read in place (`shared/reference/`), never copied here.

use kosmo_harness::conformance::Spec;
use ringcentral_core::schema::output_schema;
use ringcentral_core::tools::{Field, Output, TOOLS};
use serde_json::Value;

/// Each field is a property of `record` of the type the spec gives it.
fn assert_fields(spec: &Spec, tool: &str, operation: &str, record: &Value, fields: &[Field]) {
    for (field, kind) in fields {
        let property = spec
            .property(record, field)
            .unwrap_or_else(|| panic!("{tool}: the spec's {operation} has no field `{field}`"));
        assert_eq!(spec.type_of(property).as_deref(), Some(*kind), "{tool}: the spec types `{field}` as {property}");
    }
}

/// The items of `response`'s `records` array.
fn records<'s>(spec: &'s Spec, tool: &str, operation: &str, response: &'s Value) -> &'s Value {
    let records = spec
        .property(response, "records")
        .unwrap_or_else(|| panic!("{tool}: the spec's {operation} answers no `records`"));
    assert_eq!(spec.type_of(records).as_deref(), Some("array"), "{tool}: records");
    &records["items"]
}

/// The type the spec gives `syncInfo.syncToken` of a sync response.
fn sync_token_type(spec: &Spec, tool: &str, operation: &str, response: &Value) -> Option<String> {
    let info = spec
        .property(response, "syncInfo")
        .unwrap_or_else(|| panic!("{tool}: the spec's {operation} answers no `syncInfo`"));
    let token = spec.property(info, "syncToken").unwrap_or_else(|| panic!("{tool}: no syncInfo.syncToken"));
    spec.type_of(token)
}

#[test]
fn every_output_schema_names_fields_of_the_operations_response_with_the_specs_types() {
    let Some(spec) = Spec::get() else { return };
    let mut checked = Vec::new();
    for tool in TOOLS {
        let schema = output_schema(tool);
        assert_eq!(schema["type"], "object", "{}: structuredContent is an object", tool.name);
        if tool.path.is_empty() {
            assert!(matches!(tool.output, Output::Any), "{}: an api_* tool answers whatever the path does", tool.name);
            continue;
        }
        let concrete = tool.path.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>();
        let method = tool.method.as_str();
        let template = spec
            .template_for(method, &concrete.join("/"))
            .unwrap_or_else(|| panic!("{}: no operation {method} {} in the spec", tool.name, tool.path));
        let response = spec.success_schema(method, &template);
        let operation = format!("{method} {template}");
        let schema_type = |path: &[&str]| {
            path.iter().fold(&schema, |at, key| &at["properties"][*key])["type"].as_str().map(str::to_string)
        };
        match (tool.output, response) {
            (Output::Done, None) => {}
            (Output::Done, Some(_)) => panic!("{}: the spec's {operation} answers content", tool.name),
            (Output::Media, None) => {
                let content = spec.success_content(method, &template);
                assert!(!content.is_empty(), "{}: the spec's {operation} answers no content", tool.name);
                for (kind, body) in content {
                    assert_eq!(body["format"], "binary", "{}: {operation} answers {kind} as {body}", tool.name);
                }
                assert_eq!(schema["required"], serde_json::json!(["contentType", "size"]), "{}", tool.name);
            }
            (Output::Media, Some(_)) => panic!("{}: the spec's {operation} answers JSON, not media", tool.name),
            (_, None) => panic!("{}: the spec's {operation} answers no content", tool.name),
            (Output::Any, Some(_)) => panic!("{}: describe its result (Record or Page)", tool.name),
            (Output::Record(fields), Some(response)) => assert_fields(spec, tool.name, &operation, response, fields),
            (Output::Page(fields), Some(response)) => {
                let record = records(spec, tool.name, &operation, response);
                assert_fields(spec, tool.name, &operation, record, fields);
            }
            (Output::Sync(fields), Some(response)) => {
                let record = records(spec, tool.name, &operation, response);
                assert_fields(spec, tool.name, &operation, record, fields);
                assert_eq!(
                    sync_token_type(spec, tool.name, &operation, response),
                    schema_type(&["syncInfo", "syncToken"]),
                    "{}",
                    tool.name
                );
            }
            // The replies are sync records, and the token the last sync's.
            (Output::Replies(fields), Some(response)) => {
                let record = records(spec, tool.name, &operation, response);
                assert_fields(spec, tool.name, &operation, record, fields);
                assert_eq!(
                    sync_token_type(spec, tool.name, &operation, response),
                    schema_type(&["syncToken"]),
                    "{}",
                    tool.name
                );
            }
        }
        checked.push(tool.name);
    }
    let described = TOOLS.iter().filter(|t| !t.path.is_empty()).count();
    assert_eq!(checked.len(), described, "{checked:?}");
}
