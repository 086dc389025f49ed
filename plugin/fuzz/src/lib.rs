//! A thin native harness over the plugin's argument validation and request
//! building, which live in the native `ringcentral-core` crate.
//!
//! `check` decodes bytes into a tool and an argument object, biased towards
//! the values that matter (parameter names, IDs with reserved characters,
//! paths with dot segments and encodings), runs `request::build`, and checks
//! what must hold whatever the input:
//!
//! * it never panics;
//! * an error names the tool (`<tool>: ...`);
//! * a built request has the tool's method, a path under a documented prefix (`/restapi/`, ...) with no
//!   placeholder left, no dot segment, no OAuth endpoint and no control
//!   character (percent-decoded, case-folded, as a server would read it);
//!   a path parameter fills exactly one segment; the query is fully encoded;
//!   only tools with body parameters have a body; an SMS text is 1 to 1000
//!   UTF-16 units.

pub use ringcentral_core::{request, tools};

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value};

use tools::{Place, TOOLS, Tool};

/// Fragments that stress IDs, paths and query values.
const FRAGMENTS: &[&str] = &[
    "",
    "~",
    "1",
    "12345678901234567890",
    "-1",
    "..",
    ".",
    "/",
    "//",
    "\\",
    ",",
    "*",
    "?",
    "#",
    "%",
    "&",
    "=",
    ";",
    " ",
    "\t",
    "\n",
    "\0",
    "%2e",
    "%2E",
    "%2f",
    "%5c",
    "%00",
    "%25",
    "%6f",
    "restapi",
    "/restapi/",
    "/restapi/v1.0",
    "/RESTAPI/",
    "oauth",
    "OAuth",
    "/oauth/token",
    "token",
    "https://",
    "http://evil.example",
    "@",
    ":",
    "+1650555",
    "é",
    "☎",
    "\u{202e}",
    "\u{ffff}",
    "Sms",
    "All",
    "Read",
    "2026-05-01",
    "T00:00:00Z",
    "2026-05-01T00:00:00Z",
    "{",
    "}",
    "{messageId}",
    "account",
    "~/extension/~",
];

/// Runs one input; panics if a property does not hold.
pub fn check(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(index) = input.choose_index(TOOLS.len()) else { return };
    let tool = &TOOLS[index];
    let Ok(args) = arguments(&mut input, tool) else { return };
    match request::build(tool, &args) {
        Ok(built) => verify(tool, &args, &built),
        Err(message) => {
            assert!(
                message.starts_with(&format!("{}: ", tool.name)),
                "an error that does not name the tool: {message}"
            );
        }
    }
}

fn arguments(input: &mut Unstructured, tool: &Tool) -> Result<Value> {
    if input.ratio(1, 16)? {
        return value(input, 2);
    }
    let mut object = Map::new();
    for _ in 0..input.int_in_range(0..=6)? {
        let name = if !tool.params.is_empty() && input.ratio(7, 8)? {
            tool.params[input.choose_index(tool.params.len())?].name.to_string()
        } else {
            text(input)?
        };
        object.insert(name, value(input, 2)?);
    }
    Ok(Value::Object(object))
}

fn value(input: &mut Unstructured, depth: u32) -> Result<Value> {
    Ok(match input.int_in_range(0..=9)? {
        0 => Value::Null,
        1 => Value::Bool(input.arbitrary()?),
        2 => Value::from(input.arbitrary::<i64>()?),
        3 => serde_json::Number::from_f64(input.arbitrary()?).map_or(Value::Null, Value::Number),
        4 if depth > 0 => {
            Value::Array((0..input.int_in_range(0..=3)?).map(|_| value(input, depth - 1)).collect::<Result<_>>()?)
        }
        5 if depth > 0 => {
            let mut map = Map::new();
            for _ in 0..input.int_in_range(0..=3)? {
                map.insert(text(input)?, value(input, depth - 1)?);
            }
            Value::Object(map)
        }
        6 => Value::from(input.int_in_range(-5i64..=1005)?),
        _ => Value::String(text(input)?),
    })
}

fn text(input: &mut Unstructured) -> Result<String> {
    let mut out = String::new();
    for _ in 0..input.int_in_range(0..=4)? {
        if input.ratio(3, 4)? {
            out.push_str(FRAGMENTS[input.choose_index(FRAGMENTS.len())?]);
        } else {
            out.push_str(input.arbitrary::<&str>()?);
        }
    }
    Ok(out)
}

/// Percent-decoding, repeated while it changes anything (a server may decode twice).
fn decode(text: &str) -> String {
    let mut current = text.to_string();
    for _ in 0..4 {
        let next = percent_encoding::percent_decode_str(&current).decode_utf8_lossy().into_owned();
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn verify(tool: &Tool, args: &Value, built: &request::ApiRequest) {
    let shown = format!("{} {:?} -> {:?}", tool.name, args, built);
    assert_eq!(built.method, tool.method, "{shown}");
    let (path, query) = built.path_and_query.split_once('?').unwrap_or((&built.path_and_query, ""));
    assert!(
        request::DOCUMENTED_PREFIXES.iter().any(|prefix| path.starts_with(prefix)),
        "the path leaves the documented prefixes: {shown}"
    );
    assert!(!path.contains(['#', '?']), "a reserved character in the path: {shown}");
    if !tool.path.is_empty() {
        assert!(!path.contains(['{', '}']), "a placeholder is left: {shown}");
    }

    let decoded = decode(path);
    assert!(!decoded.chars().any(|c| c.is_control() || c.is_whitespace()), "control characters: {shown}");
    let normalized = decoded.to_lowercase().replace('\\', "/");
    let segments: Vec<&str> = normalized.split('/').map(|s| s.split(';').next().unwrap_or_default()).collect();
    assert!(!segments.iter().any(|s| *s == "." || *s == ".."), "a dot segment: {shown}");
    let named: Vec<&&str> = segments.iter().filter(|s| !s.is_empty()).collect();
    assert!(
        !(named.first().is_some_and(|s| **s == "restapi") && named.get(1).is_some_and(|s| s.starts_with("oauth"))),
        "an OAuth endpoint: {shown}"
    );

    let takes_path_params = tool.params.iter().any(|p| p.place == Place::Path);
    if takes_path_params {
        // Each path parameter fills exactly one, non-empty segment of the template.
        assert_eq!(path.split('/').count(), tool.path.split('/').count(), "a path parameter added segments: {shown}");
        assert!(!path[1..].split('/').any(str::is_empty), "an empty segment: {shown}");
    }
    assert!(
        query.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)),
        "the query is not fully encoded: {shown}"
    );

    let takes_body = tool.params.iter().any(|p| matches!(p.place, Place::Body(..) | Place::Payload));
    if !takes_body {
        assert!(built.body.is_none(), "a body for a tool without body parameters: {shown}");
    }
    if tool.name == "send_sms" {
        let text = built.body.as_ref().and_then(|b| b.get("text")).and_then(Value::as_str).unwrap_or_default();
        let units = text.encode_utf16().count();
        assert!((1..=1000).contains(&units), "an SMS of {units} UTF-16 units: {shown}");
    }
}
