//! Phone numbers in E.164 form, or refused. A number given with its country
//! code (`+…`, or the international prefix `00…`) goes as it is; one without
//! is completed with the account's home country, read from the account's own
//! data (the extension's `regionalSettings.homeCountry`), and refused when
//! that is unknown or the digits cannot be a number of that country. A number
//! is never sent as `+` and its national digits (`650-555-9876` is not
//! `+6505559876`, a Singapore number).

use serde_json::Value;

/// Where the home country lives: the caller's own extension record.
pub const HOME_COUNTRY_PATH: &str = "/restapi/v1.0/account/~/extension/~";

/// The account's home country, as its extension record names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeCountry {
    /// ISO 3166 code, e.g. `US`.
    pub iso_code: String,
    /// The country calling code without `+`, e.g. `1`.
    pub calling_code: String,
}

impl HomeCountry {
    /// `regionalSettings.homeCountry` of an extension record (`GET …/extension/~`).
    pub fn from_extension(record: &Value) -> Option<HomeCountry> {
        let country = &record["regionalSettings"]["homeCountry"];
        let calling_code = country["callingCode"].as_str()?.trim_start_matches('+');
        let valid = (1..=3).contains(&calling_code.len()) && calling_code.bytes().all(|b| b.is_ascii_digit());
        valid.then(|| HomeCountry {
            iso_code: country["isoCode"].as_str().unwrap_or_default().to_string(),
            calling_code: calling_code.to_string(),
        })
    }
}

/// `+1 (650) 555-1234` → `+16505551234`: separators dropped; `None` unless 3
/// to 15 digits remain, with at most a leading `+`.
pub fn compact(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let ok = (3..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(compact)
}

/// Whether a compact number carries its country code.
pub fn has_country_code(compact: &str) -> bool {
    compact.starts_with('+') || compact.starts_with("00")
}

/// The E.164 form (`+` and up to 15 digits) of a compact number, completed
/// with `home` when it has no country code; the error says what to write.
pub fn e164(compact: &str, home: Option<&HomeCountry>) -> Result<String, String> {
    if let Some(digits) = compact.strip_prefix("00") {
        return Ok(format!("+{digits}"));
    }
    if compact.starts_with('+') {
        return Ok(compact.to_string());
    }
    let Some(home) = home else {
        return Err(format!(
            "a phone number with its country code in E.164 form, such as \"+1{compact}\" for a US number \
             (the account's home country could not be read to complete \"{compact}\")"
        ));
    };
    let code = &home.calling_code;
    let national = match code.as_str() {
        // North America: ten digits, or eleven with the trunk prefix 1.
        "1" => match compact.len() {
            10 => Some(compact),
            11 => compact.strip_prefix('1'),
            _ => None,
        },
        // Elsewhere the trunk prefix is mostly 0, which E.164 leaves out.
        _ => Some(compact.strip_prefix('0').unwrap_or(compact)).filter(|n| code.len() + n.len() <= 15),
    };
    match national {
        Some(national) if !national.is_empty() => Ok(format!("+{code}{national}")),
        _ => Err(format!(
            "a phone number in E.164 form: \"{compact}\" is not a number of the account's home country {} \
             (+{code}); write it with its country code, e.g. \"+{code}…\"",
            if home.iso_code.is_empty() { "" } else { home.iso_code.as_str() }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> HomeCountry {
        HomeCountry { iso_code: "US".into(), calling_code: "1".into() }
    }

    #[test]
    fn numbers_with_a_country_code_go_as_they_are() {
        assert_eq!(e164("+6565551234", Some(&us())).unwrap(), "+6565551234");
        assert_eq!(e164("+16505559876", None).unwrap(), "+16505559876");
        assert_eq!(e164("00442071234567", None).unwrap(), "+442071234567");
    }

    #[test]
    fn national_numbers_take_the_home_country_never_a_bare_plus() {
        let to = compact("650-555-9876").unwrap();
        assert_eq!(e164(&to, Some(&us())).unwrap(), "+16505559876");
        assert_eq!(e164(&compact("1 (650) 555-9876").unwrap(), Some(&us())).unwrap(), "+16505559876");
        let uk = HomeCountry { iso_code: "GB".into(), calling_code: "44".into() };
        assert_eq!(e164("02071234567", Some(&uk)).unwrap(), "+442071234567");
        let refused = e164("6505559876", None).unwrap_err();
        assert!(refused.contains("\"+16505559876\""), "{refused}");
        let refused = e164("55598", Some(&us())).unwrap_err();
        assert!(refused.contains("home country US (+1)"), "{refused}");
    }

    #[test]
    fn the_home_country_is_read_from_the_extension_record() {
        let record = serde_json::json!({"regionalSettings": {"homeCountry": {"isoCode": "US", "callingCode": "1"}}});
        assert_eq!(HomeCountry::from_extension(&record), Some(us()));
        assert_eq!(HomeCountry::from_extension(&serde_json::json!({})), None);
        let bad = serde_json::json!({"regionalSettings": {"homeCountry": {"callingCode": "1x"}}});
        assert_eq!(HomeCountry::from_extension(&bad), None);
    }
}
