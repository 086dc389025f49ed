//! Argument validation and request building, driven by the tool table.
//! Everything here runs before any byte is sent: a bad argument is an error
//! that names the parameter and says what is allowed.

use serde_json::{Map, Value};

use crate::tools::{Kind, Method, Param, Place, Shape, Tool};

/// A request ready for the wire, relative to the account's server origin.
#[derive(Debug, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    pub path_and_query: String,
    pub body: Option<Value>,
}

/// Validates `args` against `tool` and builds its request.
pub fn build(tool: &Tool, args: &Value) -> Result<ApiRequest, String> {
    let args = arguments_object(tool, args)?;
    reject_unknown(tool, args)?;

    let mut path = tool.path.to_string();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    let mut payload: Option<&Map<String, Value>> = None;

    for param in tool.params {
        let value = match args.get(param.name) {
            None | Some(Value::Null) if param.required => return Err(missing(tool, param)),
            None | Some(Value::Null) => continue,
            Some(value) => value,
        };
        let value = check_kind(tool, param, value)?;
        let Some(value) = apply_choices(tool, param, value)? else { continue };
        match param.place {
            Place::Path => path = path.replace(&format!("{{{}}}", param.name), &value.as_path_segment()),
            Place::RequestPath => path = value.as_text().to_string(),
            Place::Query(api_name) => query.push((api_name.to_string(), value.as_query_value())),
            Place::QueryObject => query.extend(query_pairs(tool, param, value.as_object())?),
            Place::Body(field, shape) => {
                body.insert(field.to_string(), shaped(shape, value.into_json()));
            }
            Place::Payload => payload = Some(value.as_object()),
        }
    }

    let body = assemble_body(tool, body, payload)?;
    let mut path_and_query = path;
    if !query.is_empty() {
        path_and_query.push('?');
        path_and_query.push_str(&encode_query(&query));
    }
    Ok(ApiRequest { method: tool.method, path_and_query, body })
}

fn arguments_object<'a>(tool: &Tool, args: &'a Value) -> Result<&'a Map<String, Value>, String> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    match args {
        Value::Object(map) => Ok(map),
        // An empty Lua table may arrive as `[]`; it means "no arguments".
        Value::Null => Ok(EMPTY.get_or_init(Map::new)),
        Value::Array(items) if items.is_empty() => Ok(EMPTY.get_or_init(Map::new)),
        other => {
            Err(format!("{}: arguments must be an object of named parameters, got {}", tool.name, json_type(other)))
        }
    }
}

fn reject_unknown(tool: &Tool, args: &Map<String, Value>) -> Result<(), String> {
    for name in args.keys() {
        if tool.param(name).is_none() {
            let allowed: Vec<&str> = tool.params.iter().map(|p| p.name).collect();
            let hint = closest(name, &allowed).map(|c| format!(" Did you mean '{c}'?")).unwrap_or_default();
            let allowed = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
            return Err(format!("{}: unknown parameter '{name}'.{hint} Allowed parameters: {allowed}.", tool.name));
        }
    }
    Ok(())
}

fn missing(tool: &Tool, param: &Param) -> String {
    format!(
        "{}: missing required parameter '{}' ({}): {}",
        tool.name,
        param.name,
        kind_name(param.kind),
        param.description
    )
}

/// A validated argument value.
enum Checked<'a> {
    Text(String),
    Integer(i64),
    Boolean(bool),
    Object(&'a Map<String, Value>),
}

impl<'a> Checked<'a> {
    fn as_text(&self) -> &str {
        match self {
            Checked::Text(text) => text,
            _ => "",
        }
    }
    fn as_object(&self) -> &'a Map<String, Value> {
        match self {
            Checked::Object(map) => map,
            _ => unreachable!("only object parameters are read as objects"),
        }
    }
    fn as_query_value(&self) -> String {
        match self {
            Checked::Text(text) => text.clone(),
            Checked::Integer(n) => n.to_string(),
            Checked::Boolean(b) => b.to_string(),
            Checked::Object(_) => String::new(),
        }
    }
    fn as_path_segment(&self) -> String {
        // IDs were checked to hold no reserved character; encoding is a second fence.
        percent_encode(&self.as_query_value())
    }
    fn into_json(self) -> Value {
        match self {
            Checked::Text(text) => Value::String(text),
            Checked::Integer(n) => Value::from(n),
            Checked::Boolean(b) => Value::Bool(b),
            Checked::Object(map) => Value::Object(map.clone()),
        }
    }
}

fn check_kind<'a>(tool: &Tool, param: &Param, value: &'a Value) -> Result<Checked<'a>, String> {
    let wrong = || {
        format!("{}: parameter '{}' must be {}, got {}", tool.name, param.name, kind_name(param.kind), json_type(value))
    };
    match param.kind {
        Kind::String => value.as_str().map(|s| Checked::Text(s.to_string())).ok_or_else(wrong),
        Kind::DateTime => {
            let text = value.as_str().ok_or_else(wrong)?;
            if is_iso8601(text) {
                Ok(Checked::Text(text.to_string()))
            } else {
                Err(format!(
                    "{}: parameter '{}' must be an ISO 8601 date-time such as \"2026-05-01T00:00:00Z\", got \"{text}\"",
                    tool.name, param.name
                ))
            }
        }
        Kind::Id => {
            // RingCentral IDs are int64 in records, so a number is as good as a string.
            let id = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
                _ => return Err(wrong()),
            };
            check_id(tool, param, &id)?;
            Ok(Checked::Text(id))
        }
        Kind::ApiPath => {
            let path = value.as_str().ok_or_else(wrong)?;
            check_api_path(tool, param, path)?;
            Ok(Checked::Text(path.to_string()))
        }
        Kind::Integer { min, max } => {
            let n = integer(value).ok_or_else(wrong)?;
            if n < min || n > max {
                return Err(format!(
                    "{}: parameter '{}' must be between {min} and {max}, got {n}",
                    tool.name, param.name
                ));
            }
            Ok(Checked::Integer(n))
        }
        Kind::Boolean => value.as_bool().map(Checked::Boolean).ok_or_else(wrong),
        Kind::Object => match value {
            Value::Object(map) => Ok(Checked::Object(map)),
            Value::Array(items) if items.is_empty() => {
                static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
                Ok(Checked::Object(EMPTY.get_or_init(Map::new)))
            }
            _ => Err(wrong()),
        },
    }
}

/// Integers, including integral floats (Lua may hand over `25.0`).
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        }
        _ => None,
    }
}

/// Maps a documented spelling to the API's, or `None` for "no filter".
fn apply_choices<'a>(tool: &Tool, param: &Param, value: Checked<'a>) -> Result<Option<Checked<'a>>, String> {
    if param.choices.is_empty() {
        return Ok(Some(value));
    }
    let given = value.as_text();
    match param.choices.iter().find(|(name, _)| name.eq_ignore_ascii_case(given)) {
        Some((_, Some(api))) => Ok(Some(Checked::Text(api.to_string()))),
        Some((_, None)) => Ok(None),
        None => {
            let mut allowed: Vec<&str> = Vec::new();
            for (name, _) in param.choices {
                if !allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
                    allowed.push(name);
                }
            }
            Err(format!(
                "{}: parameter '{}' must be one of {}, got \"{given}\"",
                tool.name,
                param.name,
                allowed.join(", ")
            ))
        }
    }
}

/// On the message store an empty, bulk (`1,2`, `*`) or traversing ID can
/// address every message: refuse anything but a plain identifier.
fn check_id(tool: &Tool, param: &Param, id: &str) -> Result<(), String> {
    // `.` is a dot segment too: `message-store/.` is the whole message store.
    let bad = id.is_empty()
        || id == "."
        || id.contains("..")
        || id.chars().any(|c| {
            matches!(c, ',' | '*' | '/' | '\\' | '?' | '#' | '%' | '&' | '=' | ';')
                || c.is_whitespace()
                || c.is_control()
        });
    if bad {
        return Err(format!(
            "{}: parameter '{}' must be a single record ID (letters, digits, '-', '_', '~'; no ',', '*', '/', '?', '#', '%', '..' or spaces), got \"{}\"",
            tool.name,
            param.name,
            id.escape_debug()
        ));
    }
    Ok(())
}

/// Judged as a server might read the path: percent-decoded (repeatedly),
/// case-folded, `;parameters` dropped and empty segments collapsed, so that
/// `/restapi//OAuth/token`, `/restapi/%6fauth` or `%2e%2e` are caught here and
/// not only by the host's gate.
fn check_api_path(tool: &Tool, param: &Param, path: &str) -> Result<(), String> {
    let decoded = fully_decoded(path);
    let lowered = decoded.to_lowercase();
    let segments: Vec<&str> = lowered.split('/').map(|s| s.split(';').next().unwrap_or_default().trim()).collect();
    let mut named = segments.iter().filter(|s| !s.is_empty());
    let is_oauth = named.next() == Some(&"restapi") && named.next().is_some_and(|s| s.starts_with("oauth"));
    let problem = if path.contains("://") || path.starts_with("//") {
        Some("absolute URLs are rejected; give a path such as /restapi/v1.0/account/~")
    } else if !path.starts_with("/restapi/") {
        Some("it must start with /restapi/")
    } else if is_oauth {
        Some("OAuth endpoints are handled by the host, not by tools")
    } else if segments.iter().any(|seg| *seg == ".." || *seg == ".") {
        Some("'.' and '..' segments are not allowed")
    } else if path.contains('?') || path.contains('#') {
        Some("put query parameters in 'params', not in the path")
    } else if decoded.contains('\\') || decoded.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("it contains spaces, control characters or backslashes")
    } else {
        None
    };
    match problem {
        Some(why) => {
            Err(format!("{}: parameter '{}' is not a valid RingCentral API path: {why}", tool.name, param.name))
        }
        None => Ok(()),
    }
}

/// Percent-decoding until nothing changes (at most four rounds).
fn fully_decoded(text: &str) -> String {
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

fn query_pairs(tool: &Tool, param: &Param, params: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (key, value) in params {
        let mut push = |v: &Value| -> Result<(), String> {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(format!(
                        "{}: '{}.{key}' must be a string, number, boolean or a list of them, got {}",
                        tool.name,
                        param.name,
                        json_type(other)
                    ));
                }
            };
            pairs.push((key.clone(), text));
            Ok(())
        };
        match value {
            // Array filters are repeated keys, as RingCentral expects.
            Value::Array(items) => items.iter().try_for_each(&mut push)?,
            Value::Null => {}
            single => push(single)?,
        }
    }
    Ok(pairs)
}

fn shaped(shape: Shape, value: Value) -> Value {
    match shape {
        Shape::Plain => value,
        Shape::PhoneNumber => serde_json::json!({ "phoneNumber": value }),
        Shape::PhoneNumberList => serde_json::json!([{ "phoneNumber": value }]),
    }
}

fn assemble_body(
    tool: &Tool,
    named: Map<String, Value>,
    payload: Option<&Map<String, Value>>,
) -> Result<Option<Value>, String> {
    let takes_body = tool.params.iter().any(|p| matches!(p.place, Place::Body(..) | Place::Payload));
    if !takes_body {
        return Ok(None);
    }
    let mut body = payload.cloned().unwrap_or_default();
    // Named parameters win over the same field in `payload`.
    body.extend(named);
    if let Some(text) = body.get("text").and_then(Value::as_str).filter(|_| tool.name == "send_sms") {
        let units = text.encode_utf16().count();
        if text.is_empty() || units > 1000 {
            return Err(format!("send_sms: parameter 'text' must be 1 to 1000 characters, got {units}"));
        }
    }
    let is_update = matches!(tool.method, Method::Patch | Method::Put) && tool.path.contains('{');
    if is_update && body.is_empty() {
        let fields: Vec<&str> =
            tool.params.iter().filter(|p| !matches!(p.place, Place::Path)).map(|p| p.name).collect();
        return Err(format!("{}: nothing to update; give at least one of: {}", tool.name, fields.join(", ")));
    }
    if tool.method == Method::Delete && body.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::Object(body)))
}

/// `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and a zone.
fn is_iso8601(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    let date_ok =
        bytes.len() >= 10 && digits(0..4) && bytes[4] == b'-' && digits(5..7) && bytes[7] == b'-' && digits(8..10);
    if !date_ok {
        return false;
    }
    if bytes.len() == 10 {
        return true;
    }
    let time = &text[10..];
    let Some(time) = time.strip_prefix('T').or_else(|| time.strip_prefix('t')) else { return false };
    let t = time.as_bytes();
    let hm_ok =
        t.len() >= 5 && t[..2].iter().all(u8::is_ascii_digit) && t[2] == b':' && t[3..5].iter().all(u8::is_ascii_digit);
    hm_ok && time[5..].chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | 'Z' | 'z' | '+' | '-'))
}

fn encode_query(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Id => "a record ID (string or integer)",
        Kind::ApiPath => "a relative API path string",
        Kind::DateTime => "an ISO 8601 date-time string",
        Kind::Integer { .. } => "an integer",
        Kind::Boolean => "a boolean",
        Kind::Object => "an object",
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The candidate nearest to `word` by edit distance, if it is near enough.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
