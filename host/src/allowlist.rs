//! The allowlist grammar: what an origin is (parsed and normalised), which
//! origins one account's calls may reach, which request paths are refused on
//! them, and which servers an account may be configured with. The gate, the
//! config and the auth client all ask here; nothing here asks them.

use http::uri::{Scheme, Uri};

use crate::profile::IntegrationProfile;

/// A scheme, host and port that requests may go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a trailing `/` is tolerated; nothing else may follow).
    pub fn parse(text: &str) -> Result<Origin, String> {
        let url = url::Url::parse(text).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(format!("'{text}' must use https (or http for a local simulator), not {other}")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("'{text}' must not contain user information"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("'{text}' must be an origin (scheme://host[:port]) without a path"));
        }
        let host = url.host_str().ok_or_else(|| format!("'{text}' has no host"))?;
        let port = url.port_or_known_default().ok_or_else(|| format!("'{text}' has no port"))?;
        Ok(Origin { https, host: normalize_host(host), port })
    }

    /// The origin as a plugin sees it in its call context.
    pub fn to_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let default_port = if self.https { 443 } else { 80 };
        if self.port == default_port {
            format!("{scheme}://{}", self.host)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }

    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// Lowercase, without a trailing dot: `Platform.RingCentral.com.` is `platform.ringcentral.com`.
fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The origins one account's calls may reach, and the profile whose paths
/// are reserved on them.
#[derive(Clone, Debug)]
pub struct OriginPolicy {
    allowed: Vec<Origin>,
    profile: Option<&'static IntegrationProfile>,
}

impl OriginPolicy {
    /// The account's server, plus the media origin if the account's profile has one.
    pub fn for_account(profile: &'static IntegrationProfile, server: &Origin) -> OriginPolicy {
        let media = profile.media_host.map(|host| Origin { https: true, host: host.into(), port: 443 });
        OriginPolicy { allowed: std::iter::once(server.clone()).chain(media).collect(), profile: Some(profile) }
    }

    /// A policy that admits nothing (calls that need no network).
    pub fn deny_all() -> OriginPolicy {
        OriginPolicy { allowed: Vec::new(), profile: None }
    }

    /// The profile the account's calls are held to; none for [`OriginPolicy::deny_all`].
    pub fn profile(&self) -> Option<&'static IntegrationProfile> {
        self.profile
    }

    /// Whether a plugin may send this request; the error says why not.
    pub fn check(&self, uri: &Uri) -> Result<(), String> {
        let scheme = uri.scheme().ok_or("the request has no scheme")?;
        let https = if *scheme == Scheme::HTTPS {
            true
        } else if *scheme == Scheme::HTTP {
            false
        } else {
            return Err(format!("scheme {scheme} is not allowed"));
        };
        let authority = uri.authority().ok_or("the request has no host")?;
        if authority.as_str().contains('@') {
            return Err("user information in the authority is not allowed".into());
        }
        // Named as asked: `https://platform.ringcentral.com:8443`, not as the origin it resembles.
        let asked = format!("{scheme}://{}", authority.as_str());
        // `http` keeps a port it cannot read (`:99999`, `:`) and reports none,
        // and a connector would then use the default: refuse it instead.
        let port = match authority.port_u16() {
            Some(port) => port,
            None if authority.as_str() == authority.host() => {
                if https {
                    443
                } else {
                    80
                }
            }
            None => return Err(format!("{asked} has an invalid port")),
        };
        let origin = Origin { https, host: normalize_host(authority.host()), port };
        if !self.allowed.contains(&origin) {
            return Err(format!("{asked} is not an allowed origin"));
        }
        check_path(uri.path(), self.profile.map_or(&[], |p| p.reserved_path_prefixes))
    }
}

/// Token endpoints (the profile's `reserved` prefixes) belong to the host. The
/// path is judged the way a server might read it: percent-decoded
/// (repeatedly), case-folded, backslashes as slashes, `;parameters` dropped,
/// empty segments collapsed; dot segments and control characters are refused
/// outright.
fn check_path(path: &str, reserved: &[&str]) -> Result<(), String> {
    // Origin-form only: no absolute-form (`http://host/...`), no `//host/...`, no `*`.
    if !path.starts_with('/') || path.starts_with("//") {
        return Err("the path must be origin-form (one '/' then the path), not a URL or an authority".into());
    }
    let mut decoded = path.to_string();
    for _ in 0..4 {
        let next = percent_encoding::percent_decode_str(&decoded).decode_utf8_lossy().into_owned();
        if next == decoded {
            break;
        }
        decoded = next;
    }
    if decoded.chars().any(char::is_control) {
        return Err("control characters in the path are not allowed".into());
    }
    let normalized = decoded.to_lowercase().replace('\\', "/");
    let segments: Vec<&str> = normalized.split('/').map(|s| s.split(';').next().unwrap_or_default()).collect();
    if segments.iter().any(|s| matches!(s.trim(), "." | "..")) {
        return Err("dot segments in the path are not allowed".into());
    }
    let named: Vec<&str> = segments.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if reserved.iter().any(|prefix| is_under(&named, prefix)) {
        return Err("OAuth endpoints are reserved to the host".into());
    }
    Ok(())
}

/// Whether the path's segments start with the (lowercase) prefix's, its last
/// segment as a prefix: `/restapi/oauth` covers `/restapi/oauth2/token` too.
fn is_under(named: &[&str], prefix: &str) -> bool {
    let wanted: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let Some((last, leading)) = wanted.split_last() else { return false };
    named.len() >= wanted.len()
        && named.iter().zip(leading).all(|(have, want)| have == want)
        && named[leading.len()].starts_with(last)
}

/// A configured server must be one of the profile's API hosts, over https on
/// 443, unless the operator explicitly allowed a loopback server (the simulator).
pub fn checked_server(url: &str, allow_loopback: bool, profile: &IntegrationProfile) -> Result<Origin, String> {
    let var = profile.env.server_url;
    let origin = Origin::parse(url).map_err(|e| format!("{var}: {e}"))?;
    if origin.is_loopback() {
        if allow_loopback {
            return Ok(origin);
        }
        return Err(format!(
            "{var}={url} is a loopback server; set KOSMO_ALLOW_LOOPBACK_SERVER=1 to allow it (for the local simulator)"
        ));
    }
    let is_api_host = profile.api_hosts.contains(&origin.host.as_str()) && origin.https && origin.port == 443;
    if !is_api_host && !origin.https && profile.api_hosts.contains(&origin.host.as_str()) {
        return Err(format!("{var}={url} uses http; {} requires https: https://{}", profile.name, origin.host));
    }
    if !is_api_host {
        return Err(format!(
            "{var}={url} is not a {} server; use one of: https://{}",
            profile.name,
            profile.api_hosts.join(", https://")
        ));
    }
    Ok(origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    fn sim_policy() -> OriginPolicy {
        OriginPolicy::for_account(&profile::RINGCENTRAL, &Origin::parse("https://platform.ringcentral.com").unwrap())
    }

    #[test]
    fn origin_table() {
        let policy = sim_policy();
        let cases: &[(&str, bool)] = &[
            ("https://platform.ringcentral.com/restapi/v1.0/account/~", true),
            ("https://PLATFORM.RingCentral.com/restapi/v1.0/account/~", true),
            ("https://platform.ringcentral.com./restapi/v1.0/account/~", true),
            ("https://platform.ringcentral.com:443/restapi/v1.0/account/~", true),
            ("https://media.ringcentral.com/restapi/v1.0/account/~/recording/1/content", true),
            ("http://platform.ringcentral.com/restapi/v1.0/account/~", false),
            ("https://platform.ringcentral.com:8443/restapi/v1.0/account/~", false),
            ("https://evil.example/restapi/v1.0/account/~", false),
            ("https://platform.ringcentral.com.evil.example/restapi", false),
            ("https://169.254.169.254/latest/meta-data", false),
            ("https://127.0.0.1/restapi", false),
            ("https://[::1]/restapi", false),
            ("https://platform.ringcentral.com@evil.example/restapi", false),
            ("https://evil.example@platform.ringcentral.com/restapi", false),
            ("https://platform.ringcentral.com/restapi/oauth/token", false),
            ("https://platform.ringcentral.com/restapi//oauth/token", false),
            ("https://platform.ringcentral.com/RESTAPI/OAuth/token", false),
            ("https://platform.ringcentral.com/restapi/v1.0/../oauth/token", false),
            ("https://platform.ringcentral.com/restapi/v1.0/%2e%2e/oauth/token", false),
            ("https://platform.ringcentral.com/restapi/v1.0/%2E%2E%2Foauth/token", false),
            ("https://platform.ringcentral.com/restapi/%6fauth/token", false),
            ("https://platform.ringcentral.com/restapi/%256fauth/token", false),
            ("https://platform.ringcentral.com/restapi/oauth;x=1/token", false),
            ("https://platform.ringcentral.com/restapi/oauth2/token", false),
            ("https://platform.ringcentral.com/restapi/v1.0/%00/account", false),
            ("https://platform.ringcentral.com/restapi/v1.0/account/~/extension/~/message-store/oauth", true),
            ("https://platform.devtest.ringcentral.com/restapi/v1.0/account/~", false),
            ("https://media.ringcentral.com:8443/restapi/v1.0", false),
            ("http://media.ringcentral.com/restapi/v1.0", false),
            ("https://2130706433/restapi", false),
            ("https://[::ffff:169.254.169.254]/latest", false),
            ("https://localhost/restapi", false),
            ("https://platform.ringcentral.com:99999/restapi/v1.0/account/~", false),
            ("https://platform.ringcentral.com:/restapi/v1.0/account/~", false),
            ("https://platform.ringcentral.com//evil.example/restapi", false),
        ];
        for (uri, allowed) in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(policy.check(&uri).is_ok(), *allowed, "{uri}");
        }
    }

    #[test]
    fn denials_name_what_was_asked_for() {
        let policy = sim_policy();
        let cases = [
            (
                "https://platform.ringcentral.com:8443/restapi",
                "https://platform.ringcentral.com:8443 is not an allowed origin",
            ),
            ("https://evil.example:443/x", "https://evil.example:443 is not an allowed origin"),
            ("http://platform.ringcentral.com/restapi", "http://platform.ringcentral.com is not an allowed origin"),
            (
                "https://platform.ringcentral.com:99999/restapi",
                "https://platform.ringcentral.com:99999 has an invalid port",
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(policy.check(&uri.parse().unwrap()).unwrap_err(), expected, "{uri}");
        }
    }

    #[test]
    fn only_origin_form_paths_pass_the_path_check() {
        for path in ["http://platform.ringcentral.com/restapi/oauth/token", "//evil.example/restapi", "*", ""] {
            assert!(
                check_path(path, profile::RINGCENTRAL.reserved_path_prefixes).unwrap_err().contains("origin-form"),
                "{path}"
            );
        }
        assert!(check_path("/restapi/v1.0/account/~", profile::RINGCENTRAL.reserved_path_prefixes).is_ok());
    }

    #[test]
    fn loopback_server_is_exact_about_the_port() {
        let policy = OriginPolicy::for_account(&profile::RINGCENTRAL, &Origin::parse("http://127.0.0.1:8080").unwrap());
        assert!(policy.check(&"http://127.0.0.1:8080/restapi/v1.0".parse().unwrap()).is_ok());
        assert!(policy.check(&"http://127.0.0.1:8081/restapi/v1.0".parse().unwrap()).is_err());
        assert!(policy.check(&"https://127.0.0.1:8080/restapi/v1.0".parse().unwrap()).is_err());
        assert!(policy.check(&"http://localhost:8080/restapi/v1.0".parse().unwrap()).is_err());
    }

    #[test]
    fn origin_parsing() {
        assert_eq!(
            Origin::parse("https://platform.ringcentral.com/").unwrap().to_url(),
            "https://platform.ringcentral.com"
        );
        assert_eq!(Origin::parse("http://127.0.0.1:5000").unwrap().to_url(), "http://127.0.0.1:5000");
        assert!(Origin::parse("https://platform.ringcentral.com/restapi").is_err());
        assert!(Origin::parse("https://user:pw@platform.ringcentral.com").is_err());
        assert!(Origin::parse("ftp://platform.ringcentral.com").is_err());
        assert!(Origin::parse("http://127.0.0.1:5000").unwrap().is_loopback());
        assert!(Origin::parse("http://[::1]:5000").unwrap().is_loopback());
        assert!(!Origin::parse("https://platform.ringcentral.com").unwrap().is_loopback());
    }

    #[test]
    fn servers() {
        assert!(checked_server("https://platform.ringcentral.com", false, &profile::RINGCENTRAL).is_ok());
        assert!(checked_server("https://platform.devtest.ringcentral.com/", false, &profile::RINGCENTRAL).is_ok());
        assert!(checked_server("https://platform.ringcentral.com:8443", false, &profile::RINGCENTRAL).is_err());
        assert!(checked_server("http://platform.ringcentral.com", false, &profile::RINGCENTRAL).is_err());
        assert!(checked_server("https://evil.example", true, &profile::RINGCENTRAL).is_err());
        assert!(checked_server("http://127.0.0.1:9000", false, &profile::RINGCENTRAL).is_err());
        assert!(checked_server("http://127.0.0.1:9000", true, &profile::RINGCENTRAL).is_ok());
        assert!(checked_server("http://localhost:9000", true, &profile::RINGCENTRAL).is_ok());
        assert!(checked_server("http://10.0.0.1:9000", true, &profile::RINGCENTRAL).is_err());
    }

    #[test]
    fn the_media_origin_is_granted_to_the_ringcentral_integration_only() {
        let server = Origin::parse("https://platform.ringcentral.com").unwrap();
        let media: Uri = "https://media.ringcentral.com/restapi/v1.0/account/~/recording/1/content".parse().unwrap();
        let api: Uri = "https://platform.ringcentral.com/restapi/v1.0/account/~".parse().unwrap();
        let own = OriginPolicy::for_account(profile::for_integration("ringcentral"), &server);
        assert!(own.check(&media).is_ok());
        for other in ["versioned", "noisy", "bloated"] {
            let policy = OriginPolicy::for_account(profile::for_integration(other), &server);
            assert_eq!(
                policy.check(&media).unwrap_err(),
                "https://media.ringcentral.com is not an allowed origin",
                "{other}"
            );
            assert!(policy.check(&api).is_ok(), "{other} still reaches its account's server");
            let token: Uri = "https://platform.ringcentral.com/restapi/oauth/token".parse().unwrap();
            assert!(policy.check(&token).is_err(), "{other} is held to the reserved paths too");
        }
    }

    #[test]
    fn reserved_prefixes_match_by_segment() {
        let cases: &[(&str, bool)] = &[
            ("/restapi/oauth/token", true),
            ("/restapi/oauth", true),
            ("/restapi/oauth2/token", true),
            ("/RESTAPI//OAuth/revoke", true),
            ("/restapi/v1.0/oauth", false),
            ("/restapi", false),
            ("/", false),
            ("/oauth/token", false),
            ("/restapiX/oauth", false),
        ];
        for (path, reserved) in cases {
            let refused = check_path(path, profile::RINGCENTRAL.reserved_path_prefixes).is_err();
            assert_eq!(refused, *reserved, "{path}");
        }
        assert!(check_path("/restapi/oauth/token", &[]).is_ok(), "no profile, no reserved paths");
    }
}
