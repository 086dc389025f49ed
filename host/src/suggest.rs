//! "Did you mean": the nearest known name to a misspelt one.

/// The candidate most similar to `word`, if any is similar enough.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_near_names_only() {
        let names = ["list_messages", "get_message", "send_sms"];
        assert_eq!(super::closest("list_mesages", &names), Some("list_messages"));
        assert_eq!(super::closest("send_smss", &names), Some("send_sms"));
        assert_eq!(super::closest("frobnicate", &names), None);
    }
}
