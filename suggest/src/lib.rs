//! "Did you mean": the nearest known name to a misspelt one, and the one
//! wording of the hint, for the host (functions, accounts, MCP tools) and the
//! plugin (tools, parameters) alike.
//!
//! `no_std` and free of Unicode tables: the plugin carries it, and its size
//! budget is tight.

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The candidate nearest to `word` by edit distance, if it is near enough
/// (at most a third of the candidate's length, or 2). Candidates are names
/// (tools, parameters, accounts); case is ignored. Among equally near ones,
/// the one reached by inserting and deleting letters rather than replacing
/// them wins (`tool_0999x` is a dropped `0` of `tool_00999`, not two letters
/// off `tool_00990`); after that, the first.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = fold_case(word);
    candidates
        .iter()
        .map(|c| {
            let c_folded = fold_case(c);
            (edit_distance(&word, &c_folded, 1), edit_distance(&word, &c_folded, 2), *c)
        })
        .filter(|(d, _, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, indels, _)| (*d, *indels))
        .map(|(_, _, c)| c)
}

/// ` Did you mean 'name'?` for the nearest candidate, or nothing: appended to
/// the sentence that names the unknown word.
pub fn hint(word: &str, candidates: &[&str]) -> String {
    closest(word, candidates).map(|c| format!(" Did you mean '{c}'?")).unwrap_or_default()
}

/// `to_lowercase` as an edit distance to an ASCII name sees it, without Unicode's case tables
/// (17 KB of the plugin): other non-ASCII characters lowercase to one non-ASCII character,
/// which differs from every ASCII one whatever its case.
fn fold_case(word: &str) -> String {
    let mut folded = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            '\u{212A}' => folded.push('k'),           // KELVIN SIGN
            '\u{130}' => folded.push_str("i\u{307}"), // LATIN CAPITAL LETTER I WITH DOT ABOVE
            c => folded.push(c.to_ascii_lowercase()),
        }
    }
    folded
}

/// Levenshtein distance with `substitution` as the cost of replacing a letter
/// (2 counts only insertions and deletions).
fn edit_distance(a: &str, b: &str, substitution: usize) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + if ca == *cb { 0 } else { substitution });
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, hint};

    #[test]
    fn suggests_near_names_only() {
        let names = ["list_messages", "get_message", "send_sms"];
        assert_eq!(closest("list_mesages", &names), Some("list_messages"));
        assert_eq!(closest("send_smss", &names), Some("send_sms"));
        assert_eq!(closest("LIST_MESSAGES", &names), Some("list_messages"));
        assert_eq!(closest("frobnicate", &names), None);
        assert_eq!(closest("anything", &[]), None);
    }

    #[test]
    fn the_hint_quotes_the_name_or_says_nothing() {
        let names = ["perPage", "page"];
        assert_eq!(hint("perpage", &names), " Did you mean 'perPage'?");
        assert_eq!(hint("frobnicate", &names), "");
    }

    #[test]
    fn a_dropped_letter_beats_a_replaced_one_then_the_first_wins() {
        assert_eq!(closest("tool_0999xx", &["tool_00990x", "tool_00999x"]), Some("tool_00999x"));
        assert_eq!(closest("ab", &["ac", "ad"]), Some("ac"));
    }
}
