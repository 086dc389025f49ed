//! Each tool's output schema (the table's `output`, served as MCP's
//! `outputSchema`) against RingCentral's spec: every field it names is a
//! property of the operation's success response, of the type the spec gives
//! it, and a delete's `Done` stands for an operation that answers no content.
//! The spec is read in place (`shared/reference/`), never copied here.

use kosmo_harness::conformance::Spec;
use ringcentral_core::schema::output_schema;
use ringcentral_core::tools::{Output, TOOLS};

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
        let (fields, record) = match (tool.output, response) {
            (Output::Done, None) => {
                checked.push(tool.name);
                continue;
            }
            (Output::Done, Some(_)) => panic!("{}: the spec's {method} {template} answers content", tool.name),
            (_, None) => panic!("{}: the spec's {method} {template} answers no content", tool.name),
            (Output::Any, Some(_)) => panic!("{}: describe its result (Record or Page)", tool.name),
            (Output::Record(fields), Some(response)) => (fields, response),
            (Output::Page(fields), Some(response)) => {
                let records = spec
                    .property(response, "records")
                    .unwrap_or_else(|| panic!("{}: the spec's {method} {template} answers no `records`", tool.name));
                assert_eq!(spec.type_of(records).as_deref(), Some("array"), "{}: records", tool.name);
                (fields, &records["items"])
            }
        };
        for (field, kind) in fields {
            let property = spec
                .property(record, field)
                .unwrap_or_else(|| panic!("{}: the spec's {method} {template} has no field `{field}`", tool.name));
            assert_eq!(
                spec.type_of(property).as_deref(),
                Some(*kind),
                "{}: the spec types `{field}` as {property}",
                tool.name
            );
        }
        checked.push(tool.name);
    }
    let described = TOOLS.iter().filter(|t| !t.path.is_empty()).count();
    assert_eq!(checked.len(), described, "{checked:?}");
}
