//! Argument validation and request building, driven by the tool table.
//! Everything here runs before any byte is sent: a bad argument is an error
//! that names the parameter and says what is allowed.

use serde_json::{Map, Value};

use crate::phone::{self, HomeCountry};
use crate::tools::{Choices, Kind, Method, Param, Place, Shape, Tool};

/// A request ready for the wire, relative to the account's server origin.
#[derive(Debug, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    pub path_and_query: String,
    pub body: Option<Value>,
}

/// The top-level path prefixes RingCentral documents (its OpenAPI
/// description): where `api_*` paths may go. The host's gate still decides
/// (origin, `/restapi/oauth`).
pub const DOCUMENTED_PREFIXES: &[&str] =
    &["/restapi/", "/team-messaging/", "/webinar/", "/scim/", "/rcvideo/", "/ai/", "/analytics/"];

/// [`build`] for a call to `server_origin`: an `api_*` path may be an
/// absolute URL on that server (what `navigation.nextPage.uri` holds), taken
/// as its path; an absolute URL on another origin is refused. Phone numbers
/// without a country code are completed with `home` (see [`build_in`]).
pub fn build_for(
    tool: &Tool,
    args: &Value,
    server_origin: &str,
    home: Option<&HomeCountry>,
) -> Result<ApiRequest, String> {
    let mut args = args.clone();
    for param in tool.params.iter().filter(|p| p.kind == Kind::ApiPath) {
        if let Some(Value::String(path)) = args.get_mut(param.name)
            && path.contains("://")
        {
            match same_origin_path(path, server_origin) {
                Some(relative) => *path = relative,
                None => {
                    return Err(format!(
                        "{}: parameter '{}' is not a relative RingCentral API path (absolute URLs are rejected \
                         unless on the account's server {server_origin}), got \"{}\"",
                        tool.name,
                        param.name,
                        path.escape_debug()
                    ));
                }
            }
        }
    }
    build_in(tool, &args, home)
}

/// `https://platform.ringcentral.com/restapi/x` on that origin → `/restapi/x`.
fn same_origin_path(url: &str, origin: &str) -> Option<String> {
    let origin = origin.trim_end_matches('/');
    let head = url.get(..origin.len())?;
    let rest = &url[origin.len()..];
    (head.eq_ignore_ascii_case(origin) && rest.starts_with('/')).then(|| rest.to_string())
}

/// Validates `args` against `tool` and builds its request; a phone number
/// without its country code is refused (see [`build_in`]).
///
/// Every problem of the arguments is reported in one error, so a script is
/// fixed in one round instead of one run per mistake.
pub fn build(tool: &Tool, args: &Value) -> Result<ApiRequest, String> {
    build_in(tool, args, None)
}

/// Whether a phone number among `args` lacks its country code, so that the
/// request needs the account's home country ([`phone::HOME_COUNTRY_PATH`]).
pub fn needs_home_country(tool: &Tool, args: &Value) -> bool {
    let Value::Object(args) = args else { return false };
    tool.params.iter().any(|param| {
        matches!(param.kind, Kind::Phone { .. })
            && args
                .get(param.name)
                .and_then(Value::as_str)
                .and_then(phone::compact)
                .is_some_and(|n| !phone::has_country_code(&n))
    })
}

/// [`build`], with phone numbers without a country code completed with `home`.
pub fn build_in(tool: &Tool, args: &Value, home: Option<&HomeCountry>) -> Result<ApiRequest, String> {
    let args = arguments_object(tool, args)?;
    let mut problems: Vec<String> = unknown_parameters(tool, args);
    let given = |name: &str| args.get(name).is_some_and(|v| !v.is_null());
    for (a, b) in tool.exclusive {
        if given(a) && given(b) {
            problems
                .push(format!("{}: give either '{a}' or '{b}', not both (RingCentral cannot combine them)", tool.name));
        }
    }

    let mut path = tool.path.to_string();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    let mut payload: Option<Map<String, Value>> = None;

    for param in tool.params {
        let value = match args.get(param.name) {
            None | Some(Value::Null) if param.required => {
                problems.push(missing(tool, param));
                continue;
            }
            None | Some(Value::Null) => continue,
            Some(value) => value,
        };
        let mut value = match check_kind(tool, param, value, home) {
            Ok(value) => value,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if let Some(choices) = &param.choices {
            match choose(tool, param, choices, value.text()) {
                Ok(Some(values)) => value = Checked::List(values),
                Ok(None) => continue,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            }
        }
        match param.place {
            Place::Path => path = path.replace(&format!("{{{}}}", param.name), &percent_encode(value.text())),
            Place::RequestPath => {
                let (only_path, own_query) = split_query(value.text());
                path = only_path.to_string();
                query.extend(own_query);
            }
            Place::Query(api_name) => match value {
                // Array filters are repeated keys, as RingCentral expects.
                Checked::List(values) => query.extend(values.into_iter().map(|v| (api_name.to_string(), v))),
                single => query.push((api_name.to_string(), single.query_value())),
            },
            Place::QueryObject => match query_pairs(tool, param, value.object()) {
                Ok(pairs) => query.extend(pairs),
                Err(problem) => problems.push(problem),
            },
            Place::Body(field, shape) => {
                body.insert(field.to_string(), shaped(shape, value.into_json()));
            }
            Place::Payload => payload = Some(value.object().clone()),
            Place::SyncToken => query.push(("syncToken".into(), value.query_value())),
            Place::Local => {}
            Place::Host(_) => {
                return Err(format!(
                    "{}: '{}' is for the host, which takes it out before the call; this host passed it on \
                     (it does not save files: leave '{}' out)",
                    tool.name, param.name, param.name
                ));
            }
        }
    }
    if let Some(sync) = tool.params.iter().find(|p| p.place == Place::SyncToken) {
        let kind = if given(sync.name) { "ISync" } else { "FSync" };
        query.insert(0, ("syncType".into(), kind.into()));
    }

    if !problems.is_empty() {
        return Err(one_error(tool, problems));
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

fn unknown_parameters(tool: &Tool, args: &Map<String, Value>) -> Vec<String> {
    let allowed: Vec<&str> = tool.params.iter().map(|p| p.name).collect();
    let listed = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
    args.keys()
        .filter(|name| tool.param(name).is_none())
        .map(|name| {
            let hint = kosmo_suggest::hint(name, &allowed);
            format!("{}: unknown parameter '{name}'.{hint} Allowed parameters: {listed}.", tool.name)
        })
        .collect()
}

/// One problem as it is; several as `tool: 2 problems: first; second`.
fn one_error(tool: &Tool, mut problems: Vec<String>) -> String {
    if problems.len() == 1 {
        return problems.remove(0);
    }
    let prefix = format!("{}: ", tool.name);
    let parts: Vec<&str> = problems.iter().map(|p| p.strip_prefix(&prefix).unwrap_or(p)).collect();
    format!("{}: {} problems: {}", tool.name, parts.len(), parts.join("; "))
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
enum Checked {
    Text(String),
    Integer(i64),
    Boolean(bool),
    Object(Map<String, Value>),
    /// Enumerated values in the API's spelling.
    List(Vec<String>),
    /// Files the host read, as it hands them over.
    Files(Value),
}

impl Checked {
    fn text(&self) -> &str {
        match self {
            Checked::Text(text) => text,
            _ => "",
        }
    }
    fn object(&self) -> &Map<String, Value> {
        match self {
            Checked::Object(map) => map,
            _ => unreachable!("only object parameters are read as objects"),
        }
    }
    fn query_value(&self) -> String {
        match self {
            Checked::Text(text) => text.clone(),
            Checked::Integer(n) => n.to_string(),
            Checked::Boolean(b) => b.to_string(),
            Checked::List(values) => values.join(","),
            Checked::Object(_) | Checked::Files(_) => String::new(),
        }
    }
    fn into_json(self) -> Value {
        match self {
            Checked::Text(text) => Value::String(text),
            Checked::Integer(n) => Value::from(n),
            Checked::Boolean(b) => Value::Bool(b),
            Checked::Object(map) => Value::Object(map),
            // A single enumerated body value (update_message's readStatus).
            Checked::List(mut values) if values.len() == 1 => Value::String(values.remove(0)),
            Checked::List(values) => Value::from(values),
            Checked::Files(files) => files,
        }
    }
}

fn check_kind(tool: &Tool, param: &Param, value: &Value, home: Option<&HomeCountry>) -> Result<Checked, String> {
    let wrong = || {
        format!("{}: parameter '{}' must be {}, got {}", tool.name, param.name, kind_name(param.kind), json_type(value))
    };
    let invalid = |what: &str, given: &str| {
        format!("{}: parameter '{}' must be {what}, got \"{}\"", tool.name, param.name, given.escape_debug())
    };
    match param.kind {
        Kind::String => value.as_str().map(|s| Checked::Text(s.to_string())).ok_or_else(wrong),
        Kind::Text { max } => {
            let text = value.as_str().ok_or_else(wrong)?;
            let units = text.encode_utf16().count();
            if text.trim().is_empty() || units > max {
                return Err(format!(
                    "{}: parameter '{}' must be 1 to {max} characters (UTF-16 code units), got {units}",
                    tool.name, param.name
                ));
            }
            Ok(Checked::Text(text.to_string()))
        }
        Kind::DateTime => {
            let text = value.as_str().ok_or_else(wrong)?;
            date_time(text).map(Checked::Text).ok_or_else(|| {
                invalid("an ISO 8601 date-time with a time zone, such as \"2026-05-01T00:00:00Z\", or a date such as \"2026-05-01\"", text)
            })
        }
        Kind::Phone { plus } => {
            let text = value.as_str().ok_or_else(wrong)?;
            let compact = phone::compact(text).ok_or_else(|| {
                invalid("a phone number in E.164 format such as \"+16505551234\" (3 to 15 digits)", text)
            })?;
            let normalized = phone::e164(&compact, home).map_err(|what| invalid(&what, text))?;
            Ok(Checked::Text(if plus { normalized } else { normalized.trim_start_matches('+').to_string() }))
        }
        Kind::Id => {
            // RingCentral IDs are int64 in records, so a number is as good as a string.
            let id = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => integer(value).map(|i| i.to_string()).ok_or_else(wrong).map_err(|e| {
                    if n.is_f64() { format!("{e} (a record ID is a whole number or a string)") } else { e }
                })?,
                _ => return Err(wrong()),
            };
            if !safe_id(&id) {
                return Err(invalid(
                    "a single record ID (letters, digits, '-', '_', '~'; no ',', '*', '/', '?', '#', '%', '..' or spaces)",
                    &id,
                ));
            }
            Ok(Checked::Text(id))
        }
        Kind::ApiPath => {
            let path = value.as_str().ok_or_else(wrong)?;
            check_api_path(path).map_err(|why| {
                format!(
                    "{}: parameter '{}' is not a relative RingCentral API path ({why}), got \"{}\"",
                    tool.name,
                    param.name,
                    path.escape_debug()
                )
            })?;
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
            Value::Object(map) => Ok(Checked::Object(map.clone())),
            // An empty Lua table may arrive as `[]`.
            Value::Array(items) if items.is_empty() => Ok(Checked::Object(Map::new())),
            _ => Err(wrong()),
        },
        Kind::LocalFiles { max } => local_files(tool, param, value, max).map(Checked::Files),
    }
}

/// The files the host read for `param`: 1 to `max` objects `{filename, contentType, contentBase64}`.
fn local_files(tool: &Tool, param: &Param, value: &Value, max: usize) -> Result<Value, String> {
    let name = (tool.name, param.name);
    let items = match value {
        Value::Array(items) if (1..=max).contains(&items.len()) => items,
        Value::Array(items) => {
            return Err(format!("{}: parameter '{}' must name 1 to {max} files, got {}", name.0, name.1, items.len()));
        }
        _ => return Err(format!("{}: parameter '{}' must be a list of file paths", name.0, name.1)),
    };
    for item in items {
        let field = |f: &str| item.get(f).and_then(Value::as_str).filter(|s| !s.is_empty());
        if field("filename").is_none() || field("contentType").is_none() || field("contentBase64").is_none() {
            return Err(format!(
                "{}: parameter '{}' holds paths of local files, which the host reads; this host passed them on \
                 unread (they reach the plugin as {{filename, contentType, contentBase64}})",
                name.0, name.1
            ));
        }
    }
    Ok(value.clone())
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

/// Maps the given spelling(s) to the API's; `None` means "no filter".
fn choose(tool: &Tool, param: &Param, choices: &Choices, given: &str) -> Result<Option<Vec<String>>, String> {
    let items: Vec<&str> = if choices.multiple { given.split(',').map(str::trim).collect() } else { vec![given] };
    let mut values: Vec<String> = Vec::new();
    let mut no_filter = false;
    for item in items {
        if let Some(api) = choices.values.iter().find(|v| v.eq_ignore_ascii_case(item)) {
            if !values.iter().any(|v| v == api) {
                values.push(api.to_string());
            }
        } else if let Some((_, api)) = choices.aliases.iter().find(|(alias, _)| alias.eq_ignore_ascii_case(item)) {
            match api {
                Some(api) => values.push(api.to_string()),
                None => no_filter = true,
            }
        } else {
            let several = if choices.multiple { " (several as a comma-separated list)" } else { "" };
            return Err(format!(
                "{}: parameter '{}' must be one of {}{several}, got \"{}\"",
                tool.name,
                param.name,
                accepted(choices).join(", "),
                given.escape_debug()
            ));
        }
    }
    Ok(if no_filter { None } else { Some(values) })
}

/// The values a parameter accepts, as the docs and errors list them.
pub fn accepted(choices: &Choices) -> Vec<&'static str> {
    choices.values.iter().copied().chain(choices.aliases.iter().map(|(alias, _)| *alias)).collect()
}

/// On the message store an empty, bulk (`1,2`, `*`) or traversing ID can
/// address every message: refuse anything but a plain identifier.
fn safe_id(id: &str) -> bool {
    // `.` is a dot segment too: `message-store/.` is the whole message store.
    !id.is_empty()
        && id != "."
        && !id.contains("..")
        && !id.chars().any(|c| {
            matches!(c, ',' | '*' | '/' | '\\' | '?' | '#' | '%' | '&' | '=' | ';' | '+' | '"' | '\'' | '<' | '>')
                || c.is_whitespace()
                || c.is_control()
        })
}

/// Why `path` is not an acceptable `api_*` path, if it is not.
fn check_api_path(path: &str) -> Result<(), &'static str> {
    let (only_path, query) = path.split_once('?').unwrap_or((path, ""));
    let lower = only_path.to_ascii_lowercase();
    // Judged as a server might read it too: percent-decoded (repeatedly),
    // case-folded, `;parameters` dropped and empty segments collapsed, so that
    // `/restapi//OAuth/token` or `/restapi/%6fauth/token` are caught here and
    // not only by the host's gate.
    let decoded = fully_decoded(only_path);
    // ASCII case-folding finds what Unicode's would: no other character lowercases to a letter
    // of "restapi" or "oauth" (and Unicode's tables are 17 KB of the plugin).
    let decoded_lower = decoded.to_ascii_lowercase();
    let mut named =
        decoded_lower.split('/').map(|s| s.split(';').next().unwrap_or_default().trim()).filter(|s| !s.is_empty());
    let is_oauth = named.next() == Some("restapi") && named.next().is_some_and(|s| s.starts_with("oauth"));
    if path.contains("://") || path.starts_with("//") || path.starts_with('\\') {
        Err(
            "absolute URLs are rejected unless on the account's own server; give a path such as /restapi/v1.0/account/~",
        )
    } else if !DOCUMENTED_PREFIXES.iter().any(|prefix| only_path.starts_with(prefix)) {
        Err(
            "it must start with /restapi/ or another documented prefix: /team-messaging/, /webinar/, /scim/, /rcvideo/, /ai/, /analytics/",
        )
    } else if lower.starts_with("/restapi/oauth") || is_oauth {
        Err("OAuth endpoints are handled by the host, not by tools")
    } else if only_path.split('/').chain(decoded.split('/')).any(|seg| {
        let seg = seg.split(';').next().unwrap_or_default().trim();
        seg == ".." || seg == "."
    }) || ["%2e", "%2f", "%5c"].iter().any(|encoded| lower.contains(encoded))
    {
        Err("'.' and '..' segments and encoded dots or slashes are not allowed")
    } else if path.contains('#')
        || path.contains('\\')
        || path.chars().chain(decoded.chars()).any(|c| c.is_whitespace() || c.is_control())
    {
        Err("it contains '#', a backslash, a space or a control character")
    } else if only_path.contains("//") || query.contains('?') {
        Err("it contains an empty segment or a second '?'")
    } else {
        Ok(())
    }
}

/// `/restapi/x?a=1&b=2` → (`/restapi/x`, [(a, 1), (b, 2)]), decoded (they are encoded again on the way out).
fn split_query(path: &str) -> (&str, Vec<(String, String)>) {
    let Some((only_path, query)) = path.split_once('?') else { return (path, Vec::new()) };
    let pairs = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    (only_path, pairs)
}

fn query_pairs(tool: &Tool, param: &Param, params: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (key, value) in params {
        if key.is_empty() {
            return Err(format!("{}: '{}' has an empty parameter name", tool.name, param.name));
        }
        let mut push = |v: &Value| -> Result<(), String> {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => integer(v).map_or_else(|| n.to_string(), |i| i.to_string()),
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
    payload: Option<Map<String, Value>>,
) -> Result<Option<Value>, String> {
    let takes_body = tool.params.iter().any(|p| matches!(p.place, Place::Body(..) | Place::Payload));
    if !takes_body {
        return Ok(None);
    }
    let mut body = payload.unwrap_or_default();
    // Named parameters win over the same field in `payload`.
    body.extend(named);
    let is_api_tool = tool.path.is_empty();
    if body.is_empty() && !is_api_tool {
        // An empty update changes nothing and an empty contact is never what a
        // script meant; say which fields there are instead of sending `{}`.
        let fields: Vec<&str> = tool
            .params
            .iter()
            .filter(|p| matches!(p.place, Place::Body(..) | Place::Payload))
            .map(|p| p.name)
            .collect();
        return Err(format!("{}: nothing to send; give at least one of: {}", tool.name, fields.join(", ")));
    }
    if tool.method == Method::Delete && body.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::Object(body)))
}

/// RFC 3339 date-time (`2026-05-01T00:00:00Z`, `...T09:30:00.5+02:00`), or a
/// date, which becomes midnight UTC. A time without a zone is ambiguous: refused.
fn date_time(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (month, day) = (num(5..7)?, num(8..10)?);
    let date_ok = b.len() >= 10
        && num(0..4).is_some()
        && b[4] == b'-'
        && b[7] == b'-'
        && (1..=12).contains(&month)
        && (1..=31).contains(&day);
    if !date_ok {
        return None;
    }
    if b.len() == 10 {
        return Some(format!("{text}T00:00:00Z"));
    }
    if !matches!(b[10], b'T' | b't') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let time_ok = num(11..13)? <= 23 && num(14..16)? <= 59 && num(17..19)? <= 60;
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let zone_ok = match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    (time_ok && zone_ok).then(|| text.to_string())
}

/// `+1 (650) 555-1234` → `+16505551234`; `None` unless 3 to 15 digits remain.
pub(crate) fn phone_number(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let ok = (3..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(compact)
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

/// Form decoding of one query component (`+` is a space).
/// Percent-decoding until nothing changes (at most four rounds).
fn fully_decoded(text: &str) -> String {
    let mut current = text.to_string();
    for _ in 0..4 {
        let next = percent_decode(&current.replace('+', "%2B"));
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String | Kind::Text { .. } => "a string",
        Kind::Id => "a record ID (string or integer)",
        Kind::ApiPath => "a relative API path string",
        Kind::DateTime => "an ISO 8601 date-time string",
        Kind::Phone { .. } => "a phone number string",
        Kind::Integer { .. } => "an integer",
        Kind::Boolean => "a boolean",
        Kind::Object => "an object",
        Kind::LocalFiles { .. } => "a list of local file paths",
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

/// A request body as it goes on the wire: its content type and bytes. Tools
/// that send files send a `multipart/form-data` form, the others JSON.
pub fn encode_body(tool: &Tool, body: &Value) -> Result<(String, Vec<u8>), String> {
    let file_fields: Vec<&str> = tool
        .params
        .iter()
        .filter_map(|p| match (p.kind, p.place) {
            (Kind::LocalFiles { .. }, Place::Body(field, _)) => Some(field),
            _ => None,
        })
        .collect();
    match body {
        Value::Object(fields) if !file_fields.is_empty() => {
            let form = crate::multipart::encode(fields, &file_fields).map_err(|e| format!("{}: {e}", tool.name))?;
            Ok((form.content_type, form.bytes))
        }
        _ => Ok(("application/json".into(), body.to_string().into_bytes())),
    }
}
