//! What a plugin may say about itself: the rules for ids and tool names, and
//! caps on the size of its catalog (tools, titles, descriptions, schemas) and
//! of its docs pages. A plugin over a cap is refused at load with an error
//! naming the cap, so one bloated plugin cannot make every command slow or
//! starve another plugin's calls of memory. The RingCentral plugin (24 tools,
//! schemas of a few KiB) stays far below every cap.

/// Tools one plugin may declare.
pub const MAX_TOOLS: usize = 1_000;
/// An id or tool name: lowercase letters, digits and `_`, at most this long.
pub const MAX_NAME_BYTES: usize = 64;
/// A tool's title, and the manifest's name and version.
pub const MAX_TITLE_BYTES: usize = 256;
/// A tool's description, and the manifest's.
pub const MAX_DESCRIPTION_BYTES: usize = 4 << 10;
/// One tool's JSON Schema (of its arguments, and of its result), as the plugin sends it.
pub const MAX_SCHEMA_BYTES: usize = 256 << 10;
/// Names, titles, descriptions and schemas of all of a plugin's tools together.
pub const MAX_CATALOG_BYTES: usize = 4 << 20;
/// One docs page (checked when the page is read: docs are served on demand).
pub const MAX_DOCS_PAGE_BYTES: usize = 1 << 20;

/// The text of one tool as the plugin declared it.
pub struct ToolText<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub schema: &'a str,
    /// The JSON Schema of its result (`""` when it declares none).
    pub output_schema: &'a str,
}

/// The text of a manifest as the plugin declared it.
pub struct ManifestText<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub description: &'a str,
}

/// Checks a manifest; the error names the field and the rule or cap.
pub fn check_manifest(manifest: &ManifestText) -> Result<(), String> {
    if !is_identifier(manifest.id) {
        return Err(format!(
            "has an invalid id {:?} (lowercase letters, digits and '_', at most {MAX_NAME_BYTES} bytes)",
            clip(manifest.id)
        ));
    }
    // Versions are shown in listings and logs beside the host's own words.
    if manifest.version.chars().any(char::is_control) {
        return Err(format!(
            "has an invalid version {:?} (a version is printable text, without control characters)",
            clip(manifest.version)
        ));
    }
    within("a manifest name", "", manifest.name.len(), MAX_TITLE_BYTES)?;
    within("a manifest version", "", manifest.version.len(), MAX_TITLE_BYTES)?;
    within("a manifest description", "", manifest.description.len(), MAX_DESCRIPTION_BYTES)
}

/// Checks the count, names and sizes of a plugin's tools, in one pass, the
/// count first (before any tool is looked at). Names must be unique.
pub fn check_tools<'a>(count: usize, tools: impl IntoIterator<Item = ToolText<'a>>) -> Result<(), String> {
    if count > MAX_TOOLS {
        return Err(format!("declares {count} tools, more than the cap of {MAX_TOOLS} tools per plugin"));
    }
    let mut seen = std::collections::HashSet::with_capacity(count);
    let mut total = 0usize;
    for tool in tools {
        if tool.name.len() > MAX_NAME_BYTES {
            return Err(format!(
                "declares a tool name of {} bytes ({:?}), longer than the cap of {MAX_NAME_BYTES} bytes",
                tool.name.len(),
                clip(tool.name)
            ));
        }
        if !is_identifier(tool.name) {
            return Err(format!(
                "declares a tool with an invalid name {:?} (lowercase letters, digits and '_')",
                tool.name
            ));
        }
        if !seen.insert(tool.name) {
            return Err(format!("declares the tool {} twice", tool.name));
        }
        let owner = format!(" for {}", tool.name);
        within("a title", &owner, tool.title.len(), MAX_TITLE_BYTES)?;
        within("a description", &owner, tool.description.len(), MAX_DESCRIPTION_BYTES)?;
        within("a schema", &owner, tool.schema.len(), MAX_SCHEMA_BYTES)?;
        within("an output schema", &owner, tool.output_schema.len(), MAX_SCHEMA_BYTES)?;
        total +=
            tool.name.len() + tool.title.len() + tool.description.len() + tool.schema.len() + tool.output_schema.len();
        if total > MAX_CATALOG_BYTES {
            return Err(format!(
                "declares more than {} of tool names, titles, descriptions and schemas, the cap per plugin",
                size(MAX_CATALOG_BYTES)
            ));
        }
    }
    Ok(())
}

/// Checks one docs page's size.
pub fn check_docs_page(topic: &str, bytes: usize) -> Result<(), String> {
    let page = if topic.is_empty() { "its docs index" } else { "its docs page" };
    if bytes > MAX_DOCS_PAGE_BYTES {
        return Err(format!(
            "{page} {:?} is {}, more than the cap of {} per docs page",
            clip(topic),
            size(bytes),
            size(MAX_DOCS_PAGE_BYTES)
        ));
    }
    Ok(())
}

/// An id or a tool name: lowercase ASCII letter first, then lowercase
/// letters, digits and `_`, at most [`MAX_NAME_BYTES`].
pub fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// "declares a schema of 1 MiB for list_messages, more than the cap of 256 KiB"
fn within(what: &str, owner: &str, bytes: usize, cap: usize) -> Result<(), String> {
    if bytes > cap {
        return Err(format!("declares {what} of {}{owner}, more than the cap of {}", size(bytes), size(cap)));
    }
    Ok(())
}

/// `300 bytes`, `4 KiB`, `1.5 MiB`: sizes as a person reads them.
fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b if b >= 1 << 10 => format!("{:.1} KiB ({b} bytes)", b as f64 / (1 << 10) as f64),
        b => format!("{b} bytes"),
    }
}

/// The start of an overlong text a plugin sent, for a message.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool<'a>(name: &'a str, description: &'a str, schema: &'a str) -> ToolText<'a> {
        ToolText { name, title: "A tool", description, schema, output_schema: "" }
    }

    #[test]
    fn tools_within_the_caps_pass() {
        let names: Vec<String> = (0..MAX_TOOLS).map(|i| format!("tool_{i}")).collect();
        let tools = names.iter().map(|n| tool(n, "does a thing", r#"{"type":"object"}"#));
        assert_eq!(check_tools(names.len(), tools), Ok(()));
    }

    #[test]
    fn each_cap_is_named_in_its_refusal() {
        let long_description = "d".repeat(MAX_DESCRIPTION_BYTES + 1);
        let long_name = "n".repeat(MAX_NAME_BYTES + 1);
        let huge_schema = format!(r#"{{"description":"{}"}}"#, "s".repeat(MAX_SCHEMA_BYTES));
        let long_title = "t".repeat(MAX_TITLE_BYTES + 1);
        let cases: Vec<(Vec<ToolText>, &str)> = vec![
            (
                vec![tool("a", &long_description, "{}")],
                "declares a description of 4.0 KiB (4097 bytes) for a, more than the cap of 4 KiB",
            ),
            (vec![tool(&long_name, "", "{}")], "longer than the cap of 64 bytes"),
            (
                vec![tool("a", "", &huge_schema)],
                "declares a schema of 256.0 KiB (262162 bytes) for a, more than the cap of 256 KiB",
            ),
            (
                vec![ToolText { title: &long_title, ..tool("a", "", "{}") }],
                "declares a title of 257 bytes for a, more than the cap of 256 bytes",
            ),
            (
                vec![ToolText { output_schema: &huge_schema, ..tool("a", "", "{}") }],
                "declares an output schema of 256.0 KiB (262162 bytes) for a, more than the cap of 256 KiB",
            ),
            (vec![tool("a", "", "{}"), tool("a", "", "{}")], "declares the tool a twice"),
            (vec![tool("Bad-Name", "", "{}")], "invalid name \"Bad-Name\""),
        ];
        for (tools, expected) in cases {
            let error = check_tools(tools.len(), tools).unwrap_err();
            assert!(error.contains(expected), "{error}\nexpected: {expected}");
        }
    }

    #[test]
    fn the_count_is_checked_before_any_tool() {
        let error = check_tools(80_000, std::iter::empty()).unwrap_err();
        assert_eq!(error, "declares 80000 tools, more than the cap of 1000 tools per plugin");
    }

    #[test]
    fn the_catalog_as_a_whole_is_capped() {
        // Every schema under its own cap, together over the plugin's.
        let schema = "s".repeat(MAX_SCHEMA_BYTES - 1);
        let names: Vec<String> = (0..20).map(|i| format!("tool_{i}")).collect();
        let error = check_tools(names.len(), names.iter().map(|n| tool(n, "", &schema))).unwrap_err();
        assert!(error.contains("more than 4 MiB of tool names, titles, descriptions and schemas"), "{error}");
    }

    #[test]
    fn manifests_and_docs_pages() {
        let manifest = ManifestText { id: "ringcentral", name: "RingCentral", version: "0.1.0", description: "" };
        assert_eq!(check_manifest(&manifest), Ok(()));
        let bad = ManifestText { id: "Ring Central", ..manifest };
        assert!(check_manifest(&bad).unwrap_err().contains("invalid id"));
        let description = "d".repeat(MAX_DESCRIPTION_BYTES + 1);
        let wordy = ManifestText { id: "x", name: "x", version: "1", description: &description };
        assert!(check_manifest(&wordy).unwrap_err().contains("declares a manifest description of 4.0 KiB"));
        assert_eq!(check_docs_page("send_sms", MAX_DOCS_PAGE_BYTES), Ok(()));
        let error = check_docs_page("huge", 2 << 20).unwrap_err();
        assert_eq!(error, "its docs page \"huge\" is 2 MiB, more than the cap of 1 MiB per docs page");
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("list_messages"));
        assert!(is_identifier(&"a".repeat(MAX_NAME_BYTES)));
        assert!(!is_identifier(&"a".repeat(MAX_NAME_BYTES + 1)));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a.b"));
    }
}
