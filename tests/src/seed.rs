//! The seed reference (`../shared/seed/ringcentral-lua-api.txt`): the tool
//! contract users' scripts are written against. Tests read it in place, so
//! what they check is the seed itself, not a copy that could drift.

use crate::shared_file;

/// The whole seed text; its absence is a failure (CI has `shared/` beside the repository).
pub fn text() -> String {
    let path = shared_file("seed/ringcentral-lua-api.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the seed reference {} is needed by this test: {e}", path.display()))
}

/// One function of the seed's reference section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// `Read` or `Write`.
    pub operation: String,
    pub description: String,
    pub lua_path: String,
    pub full_name: String,
    pub params: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    /// `string`, `integer`, `boolean` or `object`.
    pub kind: String,
    pub required: bool,
    pub description: String,
}

/// The functions after the `Functions` heading, in the seed's order.
pub fn functions(text: &str) -> Vec<Function> {
    let start = text.find("\nFunctions\n").expect("the seed has a Functions section");
    let lines: Vec<&str> = text[start..].lines().map(str::trim).filter(|l| !l.is_empty()).skip(1).collect();
    let mut functions: Vec<Function> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (name, operation) = lines[i].rsplit_once(' ').unwrap_or_else(|| panic!("unexpected line {:?}", lines[i]));
        assert!(operation == "Read" || operation == "Write", "not a function header: {:?}", lines[i]);
        let description = lines[i + 1].to_string();
        assert_eq!(lines[i + 2], "Lua path");
        let lua_path = lines[i + 3].to_string();
        assert_eq!(lines[i + 4], "Full name");
        let full_name = lines[i + 5].to_string();
        assert_eq!(lines[i + 6], "ParameterTypeRequiredDescription");
        i += 7;
        let mut params = Vec::new();
        while i < lines.len() && !is_header(lines[i]) {
            if lines[i] != "No parameters." {
                let mut parts = lines[i].splitn(4, ' ');
                let (name, kind, required, description) =
                    (parts.next(), parts.next(), parts.next(), parts.next().unwrap_or_default());
                params.push(Param {
                    name: name.unwrap_or_default().to_string(),
                    kind: kind.unwrap_or_default().to_string(),
                    required: match required {
                        Some("yes") => true,
                        Some("no") => false,
                        other => panic!("required is yes/no, got {other:?} in {:?}", lines[i]),
                    },
                    description: description.to_string(),
                });
            }
            i += 1;
        }
        functions.push(Function {
            name: name.to_string(),
            operation: operation.to_string(),
            description,
            lua_path,
            full_name,
            params,
        });
    }
    functions
}

fn is_header(line: &str) -> bool {
    line.rsplit_once(' ').is_some_and(|(name, op)| {
        (op == "Read" || op == "Write") && !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    })
}

/// The seed's "Raw agent markdown": what `read-docs("")` starts with.
pub fn raw_markdown(text: &str) -> &str {
    let start =
        text.find("Raw agent markdown\n").expect("the seed has its raw agent markdown") + "Raw agent markdown\n".len();
    let end = text.find("Metadata-derived Lua example").expect("the raw markdown ends before the metadata example");
    &text[start..end]
}

/// The ```lua blocks of a markdown text, verbatim.
pub fn lua_blocks(markdown: &str) -> Vec<String> {
    markdown.split("```lua\n").skip(1).map(|rest| rest.split("```").next().unwrap_or_default().to_string()).collect()
}

/// The code of every `kosmo integrations:lua --eval '...'` command line.
pub fn eval_examples(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("kosmo integrations:lua --eval '"))
        .map(|rest| rest.rsplit_once("' --json").map(|(code, _)| code).unwrap_or(rest).to_string())
        .collect()
}

/// The body of the seed's `workflow.lua`.
pub fn workflow(text: &str) -> String {
    section(text, "workflow.lua\n", "Run the workflow\n")
}

/// The "Metadata-derived Lua example".
pub fn metadata_example(text: &str) -> String {
    section(text, "Metadata-derived Lua example\n", "\nFunctions\n")
}

fn section(text: &str, after: &str, before: &str) -> String {
    let start = text.find(after).unwrap_or_else(|| panic!("the seed has no {after:?}")) + after.len();
    let end = start + text[start..].find(before).unwrap_or_else(|| panic!("the seed has no {before:?}"));
    text[start..end].to_string()
}

/// The seed's `example_*` placeholders.
pub const PLACEHOLDERS: [&str; 5] =
    ["example_messageType", "example_dateFrom", "example_dateTo", "example_direction", "example_readStatus"];

/// The code with real-looking values in place of the placeholders: the SMS
/// of the last 30 days, inbound and unread.
pub fn filled(code: &str) -> String {
    code.replace("example_messageType", "Sms")
        .replace("example_dateFrom", &iso_days_ago(30))
        .replace("example_dateTo", &iso_days_ago(0))
        .replace("example_direction", "Inbound")
        .replace("example_readStatus", "Unread")
}

/// `YYYY-MM-DDTHH:MM:SSZ`, `days` before now (UTC).
pub fn iso_days_ago(days: u64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    let secs = now - days * 86_400;
    let (day_number, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = day_number + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}
