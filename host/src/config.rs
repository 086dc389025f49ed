//! Where plugins live and which account a call runs as. Credentials come from
//! the environment (RingCentral's own variable names) and stay in the host.

use std::path::PathBuf;
use std::sync::Arc;

use crate::gate::{Origin, OriginPolicy, RINGCENTRAL_API_HOSTS};
use crate::runtime::Access;

pub const DEFAULT_SERVER: &str = "https://platform.ringcentral.com";
pub const DEFAULT_ACCOUNT: &str = "default";

/// `KOSMO_PLUGIN_DIR`, else `<user data dir>/kosmo/plugins`
/// (`~/.local/share/kosmo/plugins` on Linux).
pub fn plugin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KOSMO_PLUGIN_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("kosmo").join("plugins")
}

/// Resolves what a call of `integration` as `account` may reach and with which token.
pub fn resolve_access(integration: &str, account: &str) -> Result<Access, String> {
    if integration != "ringcentral" {
        return Err(format!("no credentials are configured for the integration '{integration}'"));
    }
    if account != DEFAULT_ACCOUNT {
        return Err(format!("unknown account '{account}' for {integration}; configured accounts: {DEFAULT_ACCOUNT}"));
    }
    let server_url = env_value("RC_SERVER_URL").unwrap_or_else(|| DEFAULT_SERVER.to_string());
    let server = checked_server(&server_url, env_flag("KOSMO_ALLOW_LOOPBACK_SERVER"))?;
    let token = env_value("RC_ACCESS_TOKEN").ok_or_else(|| {
        "RingCentral is not configured: set RC_ACCESS_TOKEN to an access token (see README, 'A real RingCentral account')"
            .to_string()
    })?;
    Ok(Access {
        account: account.to_string(),
        server_origin: server.to_url(),
        policy: Arc::new(OriginPolicy::for_server(&server)),
        bearer_token: Some(Arc::from(token)),
    })
}

/// A configured server must be one of RingCentral's, over https on 443, unless
/// the operator explicitly allowed a loopback server (the simulator).
pub fn checked_server(url: &str, allow_loopback: bool) -> Result<Origin, String> {
    let origin = Origin::parse(url).map_err(|e| format!("RC_SERVER_URL: {e}"))?;
    if origin.is_loopback() {
        if allow_loopback {
            return Ok(origin);
        }
        return Err(format!(
            "RC_SERVER_URL={url} is a loopback server; set KOSMO_ALLOW_LOOPBACK_SERVER=1 to allow it (for the local simulator)"
        ));
    }
    let is_ringcentral = RINGCENTRAL_API_HOSTS.contains(&origin.host.as_str()) && origin.https && origin.port == 443;
    if !is_ringcentral {
        return Err(format!(
            "RC_SERVER_URL={url} is not a RingCentral server; use https://{} (or another of: {})",
            RINGCENTRAL_API_HOSTS[0],
            RINGCENTRAL_API_HOSTS.join(", ")
        ));
    }
    Ok(origin)
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn env_flag(name: &str) -> bool {
    env_value(name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert!(checked_server("https://platform.ringcentral.com", false).is_ok());
        assert!(checked_server("https://platform.devtest.ringcentral.com/", false).is_ok());
        assert!(checked_server("https://platform.ringcentral.com:8443", false).is_err());
        assert!(checked_server("http://platform.ringcentral.com", false).is_err());
        assert!(checked_server("https://evil.example", true).is_err());
        assert!(checked_server("http://127.0.0.1:9000", false).is_err());
        assert!(checked_server("http://127.0.0.1:9000", true).is_ok());
        assert!(checked_server("http://localhost:9000", true).is_ok());
        assert!(checked_server("http://10.0.0.1:9000", true).is_err());
    }
}
