//! `regex.*` for scripts, on Rust's linear-time `regex` crate (no
//! catastrophic backtracking). Patterns are bare (`\d+`) or PHP-style with
//! delimiters and flags (`/\d+/i`), as the original integration took them.

use mlua::{Lua, MultiValue, Table, Value};
use regex::{Regex, RegexBuilder};

/// Compiled programs larger than this are refused: a script cannot make the
/// host build a huge automaton.
const SIZE_LIMIT: usize = 1 << 20;
const DELIMITERS: &[char] = &['/', '#', '~', '!', '@', '%', '|', '+'];

pub fn install(lua: &Lua, env: &Table) -> mlua::Result<()> {
    let regex = lua.create_table()?;

    regex.raw_set(
        "match",
        lua.create_function(|lua, (subject, pattern): (Value, Value)| {
            let (subject, re) = prepare("regex.match", &subject, &pattern)?;
            match re.captures(&subject) {
                Some(captures) => Ok(Value::Table(captures_table(lua, &re, &captures)?)),
                None => Ok(Value::Nil),
            }
        })?,
    )?;

    regex.raw_set(
        "match_all",
        lua.create_function(|lua, (subject, pattern): (Value, Value)| {
            let (subject, re) = prepare("regex.match_all", &subject, &pattern)?;
            // As PHP's preg_match_all: one list per group, full matches first.
            let groups = lua.create_table()?;
            let mut any = false;
            for captures in re.captures_iter(&subject) {
                any = true;
                for (i, group) in captures.iter().enumerate() {
                    let list: Table = match groups.raw_get::<Option<Table>>(i + 1)? {
                        Some(list) => list,
                        None => {
                            let list = lua.create_table()?;
                            groups.raw_set(i + 1, list.clone())?;
                            list
                        }
                    };
                    list.raw_set(list.raw_len() + 1, group.map(|m| m.as_str()).unwrap_or(""))?;
                }
            }
            if !any {
                return lua.create_table();
            }
            Ok(groups)
        })?,
    )?;

    regex.raw_set(
        "gsub",
        lua.create_function(|_, (subject, pattern, replacement, limit): (Value, Value, Value, Option<i64>)| {
            let (subject, re) = prepare("regex.gsub", &subject, &pattern)?;
            let replacement = text("regex.gsub", "replacement", &replacement)?;
            let limit = match limit {
                None => 0,
                Some(n) if n < 0 => 0,
                Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            };
            Ok(re.replacen(&subject, limit, replacement.as_str()).into_owned())
        })?,
    )?;

    regex.raw_set(
        "find",
        lua.create_function(|_, (subject, pattern, init): (Value, Value, Option<i64>)| {
            let (subject, re) = prepare("regex.find", &subject, &pattern)?;
            // 1-based, inclusive positions, like string.find.
            let start = usize::try_from(init.unwrap_or(1).max(1) - 1).unwrap_or(0);
            if start > subject.len() || !subject.is_char_boundary(start) {
                return Ok(MultiValue::from_iter([Value::Nil]));
            }
            Ok(match re.find_at(&subject, start) {
                Some(m) => {
                    MultiValue::from_iter([Value::Integer(m.start() as i64 + 1), Value::Integer(m.end() as i64)])
                }
                None => MultiValue::from_iter([Value::Nil]),
            })
        })?,
    )?;

    regex.raw_set(
        "split",
        lua.create_function(|lua, (subject, pattern, limit): (Value, Value, Option<i64>)| {
            let (subject, re) = prepare("regex.split", &subject, &pattern)?;
            let parts: Vec<&str> = match limit {
                Some(n) if n > 0 => re.splitn(&subject, n as usize).collect(),
                _ => re.split(&subject).collect(),
            };
            lua.create_sequence_from(parts)
        })?,
    )?;

    regex.raw_set(
        "escape",
        lua.create_function(|_, value: Value| Ok(regex::escape(&text("regex.escape", "text", &value)?)))?,
    )?;

    env.raw_set("regex", regex)?;
    Ok(())
}

fn prepare(function: &str, subject: &Value, pattern: &Value) -> mlua::Result<(String, Regex)> {
    let subject = text(function, "subject", subject)?;
    let pattern = text(function, "pattern", pattern)?;
    let re = compile(&pattern).map_err(|e| mlua::Error::runtime(format!("{function}: {e}")))?;
    Ok((subject, re))
}

fn text(function: &str, what: &str, value: &Value) -> mlua::Result<String> {
    match value {
        Value::String(s) => Ok(s.to_string_lossy()),
        Value::Integer(i) => Ok(i.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(mlua::Error::runtime(format!("{function}: expected string {what}, got {}", other.type_name()))),
    }
}

/// `[1]` is the whole match, `[2]…` the groups; named groups also by name.
fn captures_table(lua: &Lua, re: &Regex, captures: &regex::Captures) -> mlua::Result<Table> {
    let table = lua.create_table()?;
    for (i, group) in captures.iter().enumerate() {
        table.raw_set(i + 1, group.map(|m| m.as_str()).unwrap_or(""))?;
    }
    for name in re.capture_names().flatten() {
        if let Some(m) = captures.name(name) {
            table.raw_set(name, m.as_str())?;
        }
    }
    Ok(table)
}

/// Compiles a bare or delimited pattern.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    let (body, flags) = split_delimited(pattern).unwrap_or((pattern, ""));
    let mut builder = RegexBuilder::new(body);
    builder.size_limit(SIZE_LIMIT).dfa_size_limit(SIZE_LIMIT);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            'x' => builder.ignore_whitespace(true),
            'U' => builder.swap_greed(true),
            'u' => builder.unicode(true),
            other => return Err(format!("unsupported pattern flag '{other}' (use i, m, s, x, U or u)")),
        };
    }
    builder.build().map_err(|e| format!("invalid pattern: {e}"))
}

/// `/body/flags` → (body, flags) when the pattern is delimited.
fn split_delimited(pattern: &str) -> Option<(&str, &str)> {
    let delimiter = pattern.chars().next().filter(|c| DELIMITERS.contains(c))?;
    let end = pattern.rfind(delimiter).filter(|&end| end > 0)?;
    let flags = &pattern[end + 1..];
    flags.chars().all(|c| c.is_ascii_alphabetic()).then(|| (&pattern[1..end], flags))
}

#[cfg(test)]
mod tests {
    use super::compile;

    #[test]
    fn bare_and_delimited_patterns() {
        assert!(compile(r"\d+").unwrap().is_match("a1"));
        assert!(compile(r"/abc/i").unwrap().is_match("xABC"));
        assert!(compile(r"#a.b#s").unwrap().is_match("a\nb"));
        assert!(compile(r"/abc/q").is_err());
        // A pattern that merely starts with a delimiter is taken as it is.
        assert!(compile(r"/usr/bin/\w+").unwrap().is_match("/usr/bin/env"));
    }
}
