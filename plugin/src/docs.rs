//! The integration's docs: the overview plus one page per tool, generated
//! from the tool table so they cannot drift from what the tools accept.

use crate::tools::{Kind, Operation, TOOLS, Tool};

const OVERVIEW: &str = include_str!("../docs/overview.md");

/// `""` → the full reference; `"<tool>"` → that tool's page.
pub fn read(topic: &str) -> Option<String> {
    let topic = topic.trim();
    let topic = topic.strip_prefix("ringcentral.").unwrap_or(topic);
    if topic.is_empty() || topic == "ringcentral" {
        return Some(full_reference());
    }
    crate::tools::find(topic).map(tool_page)
}

fn full_reference() -> String {
    let mut out = String::from(OVERVIEW);
    out.push_str("\n## Functions\n");
    for tool in TOOLS {
        out.push('\n');
        out.push_str(&tool_page(tool).replacen("# ", "### ", 1));
    }
    out
}

fn tool_page(tool: &Tool) -> String {
    let operation = match tool.operation {
        Operation::Read => "Read",
        Operation::Write => "Write (needs write permission or --force)",
    };
    let mut page = format!(
        "# app.integrations.ringcentral.{name}\n\n{description}\n\nOperation: {operation}\n\n",
        name = tool.name,
        description = tool.description,
    );
    if tool.params.iter().any(|p| p.name == "dateFrom") {
        page.push_str(
            "Note: without `dateFrom`, RingCentral returns only the last 24 hours of records. \
             Pass `dateFrom` (ISO 8601) to reach older ones.\n\n",
        );
    }
    if tool.params.is_empty() {
        page.push_str("Parameters: none.\n");
    } else {
        page.push_str("| Parameter | Type | Required | Description |\n|---|---|---|---|\n");
        for p in tool.params {
            let mut description = p.description.to_string();
            if !p.choices.is_empty() {
                let names: Vec<&str> = p.choices.iter().map(|(n, _)| *n).collect();
                description.push_str(&format!(" Accepted: {}.", names.join(", ")));
            }
            page.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                p.name,
                type_name(p.kind),
                if p.required { "yes" } else { "no" },
                description
            ));
        }
    }
    page.push_str(&format!(
        "\n```lua\nlocal result = app.integrations.ringcentral.{}({{{}}})\n```\n",
        tool.name,
        example_arguments(tool)
    ));
    page
}

fn type_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String | Kind::ApiPath | Kind::DateTime => "string",
        Kind::Id => "string",
        Kind::Integer { .. } => "integer",
        Kind::Boolean => "boolean",
        Kind::Object => "object",
    }
}

fn example_arguments(tool: &Tool) -> String {
    tool.params
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let sample = match p.kind {
                Kind::ApiPath => "\"/restapi/v1.0/account/~\"".to_string(),
                Kind::Integer { .. } => "1".to_string(),
                Kind::Boolean => "true".to_string(),
                Kind::Object => "{}".to_string(),
                _ => format!("\"{}\"", p.name),
            };
            format!("{} = {}", p.name, sample)
        })
        .collect::<Vec<_>>()
        .join(", ")
}
