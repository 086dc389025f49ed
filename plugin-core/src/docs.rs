//! The integration's docs: the seed's agent reference plus one page per tool,
//! generated from the tool table so they cannot drift from what the tools accept.

use crate::request::{accepted, kind_name};
use crate::tools::{Kind, Method, Operation, Param, Place, TOOLS, Tool};

/// The seed's "Raw agent markdown", verbatim.
pub const OVERVIEW: &str = include_str!("../docs/overview.md");

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
    out.push_str("\n## Functions\n\nEach function's page is also `docs.read(\"ringcentral.<function>\")`.\n");
    for tool in TOOLS {
        out.push('\n');
        out.push_str(&tool_page(tool).replacen("# ", "### ", 1));
    }
    out
}

pub fn tool_page(tool: &Tool) -> String {
    let operation = match tool.operation {
        Operation::Read => "Read",
        Operation::Write => "Write (needs write permission, or `--force` in headless runs)",
    };
    let request = if tool.path.is_empty() {
        format!("`{}` on the `path` you give (it must start with `/restapi/`)", tool.method.as_str())
    } else {
        format!("`{} {}`", tool.method.as_str(), tool.path)
    };
    let mut page = format!(
        "# ringcentral.{name} ({kind})\n\n{description}\n\n\
         - Lua path: `app.integrations.ringcentral.{name}`\n\
         - Full name: `{full}`\n\
         - Operation: {operation}\n\
         - Request: {request}\n\n",
        name = tool.name,
        kind = if tool.operation == Operation::Read { "Read" } else { "Write" },
        description = tool.description,
        full = tool.full_name(),
    );
    if tool.param("dateFrom").is_some() {
        page.push_str(
            "**Default window: the last 24 hours.** Without `dateFrom`, RingCentral returns only records from \
             the 24 hours before `dateTo` (default: now). Pass `dateFrom` to reach older ones.\n\n",
        );
    }
    if tool.method == Method::Delete && !tool.path.is_empty() {
        page.push_str("Returns `{\"success\": true, \"status\": 204}` when RingCentral confirms the deletion.\n\n");
    }
    if tool.params.iter().any(|p| matches!(p.kind, Kind::LocalFiles { .. })) {
        page.push_str(
            "Sent as one `multipart/form-data` request. The host reads the files (regular files inside the \
             working directory, 1.5 MiB in all); the plugin never opens a file.\n\n",
        );
    }
    if tool.params.is_empty() {
        page.push_str("Parameters: none.\n");
    } else {
        page.push_str("| Parameter | Type | Required | Description |\n|---|---|---|---|\n");
        let named_body_fields = tool.params.iter().any(|p| matches!(p.place, Place::Body(..)));
        for p in tool.params {
            page.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                p.name,
                type_name(p.kind),
                if p.required { "yes" } else { "no" },
                describe(p, named_body_fields)
            ));
        }
    }
    for (a, b) in tool.exclusive {
        page.push_str(&format!("\n`{a}` and `{b}` cannot be combined.\n"));
    }
    page.push_str(&format!(
        "\n```lua\nlocal result = app.integrations.ringcentral.{}({{{}}})\n```\n",
        tool.name, tool.example
    ));
    page
}

/// The seed's description plus what the table adds: accepted values and wire names.
fn describe(p: &Param, named_body_fields: bool) -> String {
    let mut text = p.description.to_string();
    if let Some(choices) = &p.choices {
        text.push_str(&format!(" Accepted: {}", accepted(choices).join(", ")));
        if choices.aliases.iter().any(|(_, api)| api.is_none()) {
            text.push_str(" (All = no filter)");
        }
        if choices.multiple {
            text.push_str("; several as a comma-separated list");
        }
        text.push('.');
    }
    if p.name == "startsWith" {
        // What RingCentral's reference says it matches, beside the seed's wording.
        text.push_str(
            " RingCentral matches it against the start of the first name or the last name, ignoring case \
             (\"ada\" finds Ada Lovelace and Adam Smith).",
        );
    }
    match p.kind {
        Kind::DateTime => text.push_str(" A date alone means midnight UTC."),
        Kind::Phone { plus } => {
            text.push_str(" E.164; a number without its country code gets the account's home country.");
            if !plus {
                text.push_str(" Sent as digits without the '+'.");
            }
        }
        Kind::Text { max } => text.push_str(&format!(" At most {max} characters.")),
        Kind::Integer { min, max } if p.name == "perPage" && !p.description.contains("max") => {
            text.push_str(&format!(" {min} to {max}."))
        }
        _ => {}
    }
    match p.place {
        Place::Query(api) if api != p.name => text.push_str(&format!(" Sent as `{api}`.")),
        Place::Payload if named_body_fields => text.push_str(" Named parameters win over the same field here."),
        Place::Host(_) => text.push_str(" Handled by the host; never sent."),
        _ => {}
    }
    text
}

fn type_name(kind: Kind) -> &'static str {
    match kind_name(kind) {
        "an integer" => "integer",
        "a boolean" => "boolean",
        "an object" => "object",
        "a list of local file paths" => "list of paths",
        _ => "string",
    }
}
