//! Configuration: where plugins live, which accounts exist, their servers and
//! credentials, and the permission policy. Read from a TOML file
//! (`KOSMO_CONFIG`, else `<user config dir>/kosmo/config.toml`) plus, for the
//! default RingCentral account, RingCentral's own environment variables.
//! Secrets stay in the host: plugins only ever learn an account's name and
//! server origin.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::allowlist::{Origin, checked_server};
use crate::mcp_client::config::{McpConfig, Server};
use crate::permission::{Policy, Rule};
use crate::profile::{self, EnvVars, IntegrationProfile};

pub const DEFAULT_ACCOUNT: &str = "default";

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    integrations: BTreeMap<String, IntegrationConfig>,
    /// `[mcp]`: the MCP servers scripts may call (`app.mcp.*`).
    #[serde(default)]
    mcp: McpConfig,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct IntegrationConfig {
    /// Pins the integration to one plugin file: a file claiming this id whose
    /// sha256 (hex, as `kosmo plugin:inspect` shows it) differs is refused.
    sha256: Option<String>,
    #[serde(default)]
    permissions: PermissionsConfig,
    #[serde(default)]
    accounts: BTreeMap<String, AccountConfig>,
}

#[derive(Deserialize, Default, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct PermissionsConfig {
    read: Option<Rule>,
    write: Option<Rule>,
    /// `"allow"`: an identical write within the journal's window is sent again.
    repeat: Option<RepeatRule>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RepeatRule {
    Allow,
    Refuse,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct AccountConfig {
    server_url: Option<String>,
    /// Let `server_url` be a loopback server (the simulator).
    #[serde(default)]
    allow_loopback_server: bool,
    access_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    jwt: Option<String>,
}

/// How an account authenticates. Never shown to plugins, never printed.
#[derive(Clone)]
pub enum Credential {
    /// A bearer token used as is.
    Static(String),
    /// The OAuth JWT bearer grant: client id/secret plus the user's JWT.
    Jwt { client_id: String, client_secret: String, jwt: String },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Static(_) => f.write_str("Credential::Static(<redacted>)"),
            Credential::Jwt { client_id, .. } => write!(f, "Credential::Jwt {{ client_id: {client_id:?}, .. }}"),
        }
    }
}

/// One resolved account.
#[derive(Clone, Debug)]
pub struct Account {
    pub integration: String,
    pub name: String,
    /// The platform rules the account is held to.
    pub profile: &'static IntegrationProfile,
    pub server: Origin,
    pub credential: Credential,
}

/// Everything configured, loaded once per process.
#[derive(Default, Debug)]
pub struct Settings {
    file: ConfigFile,
    source: Option<PathBuf>,
    /// The integrations the file itself has sections for (before the environment).
    file_sections: Vec<String>,
}

impl Settings {
    /// Reads the config file (a missing default file is fine, a broken one is an error)
    /// and folds RingCentral's environment variables into the default account.
    pub fn load() -> Result<Settings, String> {
        let explicit = std::env::var_os("KOSMO_CONFIG").filter(|p| !p.is_empty()).map(PathBuf::from);
        let path = explicit.clone().or_else(|| dirs::config_dir().map(|d| d.join("kosmo").join("config.toml")));
        let mut settings = Settings::default();
        if let Some(path) = path {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    settings.file =
                        toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))?;
                    check_pins(&settings.file).map_err(|e| format!("config file {}: {e}", path.display()))?;
                    settings.source = Some(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {}
                Err(e) => return Err(format!("cannot read the config file {}: {e}", path.display())),
            }
        }
        settings.file_sections = settings.file.integrations.keys().cloned().collect();
        settings.apply_environment();
        Ok(settings)
    }

    /// Builds settings from TOML text alone (tests).
    #[cfg(test)]
    fn from_toml(text: &str) -> Result<Settings, String> {
        let file = toml::from_str(text).map_err(|e| e.to_string())?;
        check_pins(&file)?;
        Ok(Settings { file, source: None, file_sections: Vec::new() })
    }

    /// The profile's environment variables (RingCentral's `RC_*`) and
    /// `KOSMO_ALLOW_LOOPBACK_SERVER` override the default account of the
    /// profile's own integration.
    fn apply_environment(&mut self) {
        let profile = &profile::RINGCENTRAL;
        let vars = &profile.env;
        if !vars.all().iter().any(|v| env_value(v).is_some()) {
            return;
        }
        let integration = self.file.integrations.entry(profile.integration.into()).or_default();
        let account = integration.accounts.entry(DEFAULT_ACCOUNT.into()).or_default();
        let set = |slot: &mut Option<String>, var: &str| {
            if let Some(value) = env_value(var) {
                *slot = Some(value);
            }
        };
        set(&mut account.server_url, vars.server_url);
        set(&mut account.access_token, vars.access_token);
        set(&mut account.client_id, vars.client_id);
        set(&mut account.client_secret, vars.client_secret);
        set(&mut account.jwt, vars.user_jwt);
        if env_flag("KOSMO_ALLOW_LOOPBACK_SERVER") {
            account.allow_loopback_server = true;
        }
    }

    /// The integrations the config file has a section for.
    pub fn configured_integrations(&self) -> Vec<&str> {
        self.file_sections.iter().map(String::as_str).collect()
    }

    /// The configured account names of an integration, `default` first.
    pub fn account_names(&self, integration: &str) -> Vec<String> {
        let Some(config) = self.file.integrations.get(integration) else { return Vec::new() };
        let mut names: Vec<String> = config.accounts.keys().cloned().collect();
        names.sort_by_key(|n| (n != DEFAULT_ACCOUNT, n.clone()));
        names
    }

    /// The plugin digest each pinned integration must have, as lowercase hex.
    pub fn plugin_pins(&self) -> BTreeMap<String, String> {
        let pins = self.file.integrations.iter();
        pins.filter_map(|(id, config)| Some((id.clone(), config.sha256.as_ref()?.trim().to_ascii_lowercase())))
            .collect()
    }

    /// The configured MCP servers (`[mcp]`, and the `mcpServers` file it names).
    pub fn mcp_servers(&self) -> Result<Vec<Server>, String> {
        self.file.mcp.servers(self.source.as_deref())
    }

    pub fn policy(&self, integration: &str) -> Policy {
        let default = Policy::default();
        let Some(config) = self.file.integrations.get(integration) else { return default };
        Policy {
            read: config.permissions.read.unwrap_or(default.read),
            write: config.permissions.write.unwrap_or(default.write),
        }
    }

    /// Whether the config lets identical writes of `integration` repeat.
    pub fn repeats_allowed(&self, integration: &str) -> bool {
        let config = self.file.integrations.get(integration);
        config.and_then(|c| c.permissions.repeat) == Some(RepeatRule::Allow)
    }

    /// Resolves an account; the error says what is missing and where to set it.
    pub fn account(&self, integration: &str, name: &str) -> Result<Account, String> {
        let profile = profile::for_integration(integration);
        let env = &profile.env;
        let config = self.file.integrations.get(integration).and_then(|i| i.accounts.get(name)).ok_or_else(|| {
            let names = self.account_names(integration);
            if names.is_empty() {
                format!(
                    "{integration} is not configured: set {} (or {}, {} and {}), or add \
                     [integrations.{integration}.accounts.{name}] to {}",
                    env.access_token,
                    env.client_id,
                    env.client_secret,
                    env.user_jwt,
                    self.config_path_hint()
                )
            } else {
                let known: Vec<&str> = names.iter().map(String::as_str).collect();
                let hint = kosmo_suggest::hint(name, &known);
                format!(
                    "unknown account '{name}' for {integration}; configured accounts: {}.{hint} To add it, put \
                     [integrations.{integration}.accounts.{name}] in {}",
                    names.join(", "),
                    self.config_path_hint()
                )
            }
        })?;
        let server_url = config.server_url.clone().unwrap_or_else(|| profile.default_server.to_string());
        let server = checked_server(&server_url, config.allow_loopback_server, profile).map_err(|e| {
            // A named account's server comes from its section, not the environment.
            if name == DEFAULT_ACCOUNT {
                return e;
            }
            let section = format!("[integrations.{integration}.accounts.{name}]");
            e.replace(
                &format!("{}={server_url}", env.server_url),
                &format!("server_url = \"{server_url}\" in {section}"),
            )
            .replace("set KOSMO_ALLOW_LOOPBACK_SERVER=1", "add allow_loopback_server = true to that section")
        })?;
        let credential = credential(integration, name, config, &profile.env)?;
        Ok(Account { integration: integration.into(), name: name.into(), profile, server, credential })
    }

    fn config_path_hint(&self) -> String {
        match &self.source {
            Some(path) => path.display().to_string(),
            None => "the config file (KOSMO_CONFIG or ~/.config/kosmo/config.toml)".into(),
        }
    }
}

/// A pin is a sha256 in hex: 64 digits.
fn check_pins(file: &ConfigFile) -> Result<(), String> {
    for (id, config) in &file.integrations {
        let Some(pin) = &config.sha256 else { continue };
        let pin = pin.trim();
        if pin.len() != 64 || !pin.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "[integrations.{id}] sha256 = {pin:?} is not a sha256: expected 64 hex digits \
                 (`kosmo plugin:inspect FILE` shows a plugin file's)"
            ));
        }
    }
    Ok(())
}

fn credential(integration: &str, name: &str, config: &AccountConfig, env: &EnvVars) -> Result<Credential, String> {
    let jwt_parts = [&config.client_id, &config.client_secret, &config.jwt];
    if jwt_parts.iter().all(|p| p.is_some()) {
        return Ok(Credential::Jwt {
            client_id: config.client_id.clone().unwrap_or_default(),
            client_secret: config.client_secret.clone().unwrap_or_default(),
            jwt: config.jwt.clone().unwrap_or_default(),
        });
    }
    if let Some(token) = &config.access_token {
        return Ok(Credential::Static(token.clone()));
    }
    if jwt_parts.iter().any(|p| p.is_some()) {
        return Err(format!(
            "{integration} account '{name}': the JWT grant needs all of client_id, client_secret and jwt \
             ({}, {}, {})",
            env.client_id, env.client_secret, env.user_jwt
        ));
    }
    Err(format!(
        "{integration} account '{name}' has no credentials: set access_token, or client_id + client_secret + jwt"
    ))
}

/// `KOSMO_PLUGIN_DIR`, else `<user data dir>/kosmo/plugins`
/// (`~/.local/share/kosmo/plugins` on Linux).
pub fn plugin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KOSMO_PLUGIN_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("kosmo").join("plugins")
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
    fn named_accounts_and_permissions_from_toml() {
        let settings = Settings::from_toml(
            r#"
            [integrations.ringcentral]
            permissions = { write = "deny" }
            [integrations.ringcentral.accounts.work]
            access_token = "w"
            [integrations.ringcentral.accounts.default]
            client_id = "c"
            client_secret = "s"
            jwt = "j"
            "#,
        )
        .unwrap();
        assert_eq!(settings.account_names("ringcentral"), ["default", "work"]);
        assert!(
            matches!(settings.account("ringcentral", "work").unwrap().credential, Credential::Static(ref t) if t == "w")
        );
        assert!(matches!(settings.account("ringcentral", "default").unwrap().credential, Credential::Jwt { .. }));
        let unknown = settings.account("ringcentral", "support").unwrap_err();
        assert!(unknown.contains("default, work"), "{unknown}");
        assert_eq!(settings.policy("ringcentral").write, Rule::Deny);
        assert_eq!(settings.policy("ringcentral").read, Rule::Allow);
    }

    #[test]
    fn config_mistakes_are_errors() {
        assert!(Settings::from_toml("[integrations.ringcentral.accounts.x]\ntoken = 'typo'").is_err());
        assert!(Settings::from_toml("[integrations.ringcentral]\npermissions = { write = 'sometimes' }").is_err());
        let partial = Settings::from_toml("[integrations.ringcentral.accounts.default]\nclient_id = 'c'").unwrap();
        assert!(partial.account("ringcentral", "default").unwrap_err().contains("client_secret"));
    }

    #[test]
    fn plugin_pins_are_hex_digests() {
        let digest = "AB".repeat(32);
        let settings = Settings::from_toml(&format!("[integrations.ringcentral]\nsha256 = \"{digest}\"")).unwrap();
        assert_eq!(settings.plugin_pins().get("ringcentral"), Some(&"ab".repeat(32)));
        assert!(
            Settings::from_toml("[integrations.other.permissions]\nread = 'allow'").unwrap().plugin_pins().is_empty()
        );
        for bad in ["abc", &"g".repeat(64), &"a".repeat(65)] {
            let error = Settings::from_toml(&format!("[integrations.ringcentral]\nsha256 = \"{bad}\"")).unwrap_err();
            assert!(error.contains("[integrations.ringcentral] sha256") && error.contains("64 hex digits"), "{error}");
        }
    }

    #[test]
    fn credentials_are_never_printed() {
        let shown = format!("{:?}", Credential::Static("very-secret".into()));
        assert!(!shown.contains("very-secret"));
    }
}
