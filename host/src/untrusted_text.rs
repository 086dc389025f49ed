//! Untrusted text made safe to show. What a plugin, an MCP client or a
//! remote API says may carry control characters that a terminal obeys
//! (`ESC ] 52 ; c ; … BEL` writes the clipboard, `ESC ] 0 ;` retitles the
//! window, `ESC [ 2J` clears the screen, U+009B is a one-character CSI), so
//! nothing reaches a terminal, a log or stderr with them raw: C0 controls, DEL
//! and C1 controls are shown escaped (`\x1b`, `\x7f`, `\u{9b}`). JSON output
//! stays JSON, with the same characters as JSON escapes (`\u001b`, `\u009b`).
//!
//! Escaping happens where text leaves the process (stdout, stderr, logs),
//! never where it is produced: an error string also goes into `--json`
//! envelopes and MCP results, which must carry the original text.

use std::borrow::Cow;
use std::fmt::Write;

/// Text of several lines (a docs page, a script's output, an error with a
/// traceback): newlines and tabs are kept, every other control is escaped.
pub fn block(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Text on one line (a log line, a table cell, a manifest field): every
/// control is escaped, newlines and tabs too, so it cannot fake another line.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Shows a value with [`line`] inside `format!`: `format!("{}", Line(&name))`.
pub struct Line<'a>(pub &'a str);

impl std::fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&line(self.0))
    }
}

/// Serialized JSON with DEL and C1 controls as `\u00XX` escapes. serde_json
/// escapes C0 controls inside strings but passes DEL and C1 through; outside
/// strings JSON holds only ASCII punctuation, digits, letters and whitespace,
/// so every such character found is inside a string, where `\u00XX` means the
/// same character: the document stays valid and equal.
pub fn json(serialized: String) -> String {
    if !serialized.chars().any(is_del_or_c1) {
        return serialized;
    }
    let mut out = String::with_capacity(serialized.len() + 16);
    for c in serialized.chars() {
        if is_del_or_c1(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn is_del_or_c1(c: char) -> bool {
    ('\u{7f}'..='\u{9f}').contains(&c)
}

fn escape(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() && !(keep_layout && matches!(c, '\n' | '\t'));
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs(c) {
            out.push(c);
            continue;
        }
        let _ = match c {
            '\n' => out.write_str("\\n"),
            '\t' => out.write_str("\\t"),
            '\r' => out.write_str("\\r"),
            // C0 and DEL as the byte they are; C1 as the code point (it is two bytes in UTF-8).
            c if (c as u32) <= 0x7f => write!(out, "\\x{:02x}", c as u32),
            c => write!(out, "\\u{{{:x}}}", c as u32),
        };
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_escapes_controls_but_keeps_newlines_and_tabs() {
        let cases = [
            ("plain text", "plain text"),
            ("two\nlines\tand a tab", "two\nlines\tand a tab"),
            ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),
            ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
            ("\x1b[2J", "\\x1b[2J"),
            ("csi \u{9b}2J", "csi \\u{9b}2J"),
            ("del \x7f", "del \\x7f"),
            ("cr \r over", "cr \\r over"),
            ("nul \0 bs \x08", "nul \\x00 bs \\x08"),
            ("c1 bounds \u{80} \u{9f}", "c1 bounds \\u{80} \\u{9f}"),
            ("not control: \u{a0} é ☎ \u{202e}", "not control: \u{a0} é ☎ \u{202e}"),
        ];
        for (input, shown) in cases {
            assert_eq!(block(input), shown, "block({input:?})");
        }
    }

    #[test]
    fn line_escapes_newlines_and_tabs_too() {
        let cases = [
            ("one line", "one line"),
            ("fake\nkosmo: warning: line", "fake\\nkosmo: warning: line"),
            ("tab\there", "tab\\there"),
            ("\x1b[2J\u{9b}\x7f", "\\x1b[2J\\u{9b}\\x7f"),
        ];
        for (input, shown) in cases {
            assert_eq!(line(input), shown, "line({input:?})");
        }
    }

    #[test]
    fn clean_text_is_not_copied() {
        assert!(matches!(block("clean\n"), Cow::Borrowed(_)));
        assert!(matches!(line("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_pads_the_escaped_text() {
        assert_eq!(format!("[{:<8}]", Line("a\x1bb")), "[a\\x1bb  ]");
    }

    #[test]
    fn json_escapes_del_and_c1_and_stays_the_same_document() {
        let value = serde_json::json!({ "text": "\x1b]52;c;x\x07 \u{9b}2J \x7f é", "n": 1 });
        let shown = json(serde_json::to_string_pretty(&value).unwrap());
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{shown:?}");
        assert!(shown.contains(r"\u001b]52;c;x\u0007 \u009b2J \u007f é"), "{shown}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap(), value);
    }
}
