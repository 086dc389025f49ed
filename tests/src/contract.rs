//! The tool contract as the tests state it: the plugin's tool table
//! (`ringcentral_core::tools::TOOLS`) is what every test counts and covers,
//! so a tool added to the table is tested without editing a number anywhere,
//! and a test that goes tool by tool fails, naming the tool, until the new
//! tool has its case there.

use ringcentral_core::tools::{TOOLS, Tool};

/// The table's tool names, in table order.
pub fn tool_names() -> Vec<&'static str> {
    TOOLS.iter().map(|t| t.name).collect()
}

/// The example call on the tool's docs page (the ```lua block), verbatim.
pub fn example_call(tool: &Tool) -> String {
    let page = ringcentral_core::docs::tool_page(tool);
    let example = page.split("```lua\n").nth(1).and_then(|rest| rest.split("```").next());
    let example = example.unwrap_or_else(|| panic!("the docs page of {} has no example call:\n{page}", tool.name));
    assert!(
        example.contains(&format!("app.integrations.ringcentral.{}(", tool.name)),
        "the example on the docs page of {} does not call it:\n{example}",
        tool.name
    );
    example.to_string()
}

/// Fails unless `cases`, a tool-by-tool test file's tests each with the tool
/// it is the case of, name every table tool, and only table tools.
#[track_caller]
pub fn assert_a_case_per_tool(what: &str, file: &str, cases: &[(&str, fn())]) {
    let cases: Vec<&str> = cases.iter().map(|(tool, _)| *tool).collect();
    let missing: Vec<String> = tool_names()
        .into_iter()
        .filter(|name| !cases.contains(name))
        .map(|name| format!("tool {name} has no {what} case in {file}"))
        .collect();
    let unknown: Vec<String> = cases
        .iter()
        .filter(|name| ringcentral_core::tools::find(name).is_none())
        .map(|name| format!("{file} has a {what} case for {name}, which is not in the tool table"))
        .collect();
    let problems = [missing, unknown].concat();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Fails unless `names` (what a command or server listed) are the table's
/// tools, each once, in any order.
#[track_caller]
pub fn assert_lists_the_table(what: &str, names: &[&str]) {
    let mut listed = names.to_vec();
    listed.sort_unstable();
    let mut table = tool_names();
    table.sort_unstable();
    assert_eq!(listed, table, "{what} lists the tool table's tools, each once");
}
