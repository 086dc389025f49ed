//! Which MCP servers a user configured: `[mcp.servers.<name>]` in kosmo's
//! config file, plus the servers of an `mcpServers` JSON file as Claude
//! Desktop, Claude Code and Cursor keep them (`servers_json` under `[mcp]`,
//! or `KOSMO_MCP_SERVERS_JSON`). A server of the TOML file wins over one of
//! the same name in the JSON file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::permission::{Policy, Rule};

/// The variable naming an `mcpServers` JSON file; it overrides `[mcp] servers_json`.
pub const SERVERS_JSON_VAR: &str = "KOSMO_MCP_SERVERS_JSON";
/// How long a server may take to start or to answer one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TIMEOUT_SECONDS: f64 = 3600.0;

/// `[mcp]` in the config file.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    #[serde(default)]
    servers: BTreeMap<String, ServerConfig>,
    /// An `mcpServers` JSON file whose servers are added; relative to the config file's folder.
    servers_json: Option<PathBuf>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct ServerConfig {
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// Seconds.
    timeout: Option<f64>,
    enabled: Option<bool>,
    #[serde(default)]
    permissions: PermissionsConfig,
}

#[derive(Deserialize, Default, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct PermissionsConfig {
    read: Option<Rule>,
    write: Option<Rule>,
}

/// One entry of an `mcpServers` file. Read leniently: those files carry
/// fields of their own tools (`autoApprove`, `alwaysAllow`, ...).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct JsonServer {
    #[serde(rename = "type")]
    kind: Option<String>,
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    disabled: bool,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct JsonFile {
    #[serde(default)]
    mcp_servers: BTreeMap<String, JsonServer>,
}

/// How kosmo reaches a server.
#[derive(Clone, Debug)]
pub enum Transport {
    /// A child process speaking JSON-RPC lines on its stdin and stdout.
    Stdio { command: String, args: Vec<String>, env: BTreeMap<String, String>, cwd: Option<PathBuf> },
    /// Streamable HTTP.
    Http { url: String, headers: BTreeMap<String, String> },
}

/// A configured server, checked.
#[derive(Clone, Debug)]
pub struct Server {
    pub name: String,
    pub transport: Transport,
    pub timeout: Duration,
    pub enabled: bool,
    pub policy: Policy,
    /// The file it was configured in.
    pub source: PathBuf,
}

impl Server {
    pub fn kind(&self) -> &'static str {
        match self.transport {
            Transport::Stdio { .. } => "stdio",
            Transport::Http { .. } => "http",
        }
    }

    /// The namespace of its tools in Lua: `app.mcp.<lua_name>`.
    pub fn lua_name(&self) -> String {
        lua_name(&self.name)
    }
}

/// A name as Lua sees it: lower-cased, every character but `a-z`, `0-9` and `_` as `_`.
pub fn lua_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

impl McpConfig {
    /// Every configured server, in name order; `config_file` is where this
    /// `[mcp]` was read (relative paths start from its folder). The error
    /// names the file and the server.
    pub fn servers(&self, config_file: Option<&Path>) -> Result<Vec<Server>, String> {
        let base = config_file.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
        let source = config_file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("the config file"));
        let mut servers = BTreeMap::new();
        let json = std::env::var_os(SERVERS_JSON_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| self.servers_json.as_ref().map(|p| base.join(expand_home(p))));
        if let Some(path) = json {
            for server in json_servers(&path)? {
                servers.insert(server.name.clone(), server);
            }
        }
        for (name, config) in &self.servers {
            let server = toml_server(name, config, &base, &source)
                .map_err(|e| format!("{}: [mcp.servers.{name}] {e}", source.display()))?;
            servers.insert(name.clone(), server);
        }
        let servers: Vec<Server> = servers.into_values().collect();
        check_lua_names(&servers)?;
        Ok(servers)
    }
}

fn toml_server(name: &str, config: &ServerConfig, base: &Path, source: &Path) -> Result<Server, String> {
    check_name(name)?;
    let transport = match (&config.command, &config.url) {
        (Some(command), None) => {
            if !config.headers.is_empty() {
                return Err("has headers, which only a url server takes".into());
            }
            Transport::Stdio {
                command: command.clone(),
                args: config.args.clone(),
                env: config.env.clone(),
                cwd: config.cwd.as_ref().map(|cwd| base.join(expand_home(cwd))),
            }
        }
        (None, Some(url)) => {
            if !config.args.is_empty() || !config.env.is_empty() || config.cwd.is_some() {
                return Err("has args, env or cwd, which only a command server takes".into());
            }
            Transport::Http { url: checked_url(url)?, headers: config.headers.clone() }
        }
        (Some(_), Some(_)) => return Err("has both command and url; give one".into()),
        (None, None) => return Err("needs a command (a stdio server) or a url (a Streamable HTTP server)".into()),
    };
    let timeout = match config.timeout {
        None => DEFAULT_TIMEOUT,
        Some(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS => {
            Duration::from_secs_f64(seconds)
        }
        Some(seconds) => return Err(format!("timeout = {seconds} is not a number of seconds in (0, 3600]")),
    };
    let default = Policy::default();
    let policy = Policy {
        read: config.permissions.read.unwrap_or(default.read),
        write: config.permissions.write.unwrap_or(default.write),
    };
    Ok(Server {
        name: name.to_string(),
        transport,
        timeout,
        enabled: config.enabled.unwrap_or(true),
        policy,
        source: source.to_path_buf(),
    })
}

/// The servers of an `mcpServers` file, with kosmo's defaults (timeout, permissions).
fn json_servers(path: &Path) -> Result<Vec<Server>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the MCP servers file {}: {e}", path.display()))?;
    let file: JsonFile = serde_json::from_str(&text)
        .map_err(|e| format!("the MCP servers file {} is not an mcpServers JSON file: {e}", path.display()))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut servers = Vec::new();
    for (name, entry) in file.mcp_servers {
        let kind = entry.kind.as_deref().unwrap_or(if entry.url.is_some() { "http" } else { "stdio" });
        let config = match kind {
            "stdio" => ServerConfig {
                command: entry.command,
                args: entry.args,
                env: entry.env,
                cwd: entry.cwd,
                ..ServerConfig::default()
            },
            "http" | "streamable-http" | "streamableHttp" => {
                ServerConfig { url: entry.url, headers: entry.headers, ..ServerConfig::default() }
            }
            other => {
                return Err(format!(
                    "{}: mcpServers.{name}: transport type '{other}' is not supported (stdio and http are)",
                    path.display()
                ));
            }
        };
        let config = ServerConfig { enabled: Some(!entry.disabled), ..config };
        let server = toml_server(&name, &config, &base, path)
            .map_err(|e| format!("{}: mcpServers.{name} {e}", path.display()))?;
        servers.push(server);
    }
    Ok(servers)
}

fn check_name(name: &str) -> Result<(), String> {
    let fine = !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_graphic() && c != '.');
    if fine { Ok(()) } else { Err("the name must be 1 to 64 printable ASCII characters without '.' or spaces".into()) }
}

fn checked_url(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("url {url:?} is not a URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" => Ok(url.to_string()),
        other => Err(format!("url {url:?}: the scheme must be http or https, not {other}")),
    }
}

/// Two servers whose Lua names collide would share `app.mcp.<name>`.
fn check_lua_names(servers: &[Server]) -> Result<(), String> {
    for (i, a) in servers.iter().enumerate() {
        if let Some(b) = servers[..i].iter().find(|b| b.lua_name() == a.lua_name()) {
            return Err(format!(
                "the MCP servers '{}' and '{}' would both be app.mcp.{} in Lua: rename one",
                b.name,
                a.name,
                a.lua_name()
            ));
        }
    }
    Ok(())
}

fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Server>, String> {
        let config: McpConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        config.servers(Some(Path::new("/etc/kosmo/config.toml")))
    }

    #[test]
    fn stdio_and_http_servers_with_defaults() {
        let servers = parse(
            r#"
            [servers.fake]
            command = "python3"
            args = ["fake.py"]
            env = { TOKEN = "t" }
            cwd = "servers"
            [servers.remote]
            url = "https://mcp.example.com/mcp"
            headers = { Authorization = "Bearer x" }
            timeout = 2.5
            enabled = false
            permissions = { read = "ask", write = "deny" }
            "#,
        )
        .unwrap();
        let (fake, remote) = (&servers[0], &servers[1]);
        assert_eq!((fake.name.as_str(), fake.kind(), fake.enabled), ("fake", "stdio", true));
        assert_eq!(fake.timeout, DEFAULT_TIMEOUT);
        assert_eq!((fake.policy.read, fake.policy.write), (Rule::Allow, Rule::Ask));
        match &fake.transport {
            Transport::Stdio { cwd, env, .. } => {
                assert_eq!(cwd.as_deref(), Some(Path::new("/etc/kosmo/servers")));
                assert_eq!(env["TOKEN"], "t");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((remote.kind(), remote.enabled, remote.timeout), ("http", false, Duration::from_millis(2500)));
        assert_eq!((remote.policy.read, remote.policy.write), (Rule::Ask, Rule::Deny));
    }

    #[test]
    fn mistakes_name_the_server() {
        for (text, expected) in [
            ("[servers.a]\nargs = []", "[mcp.servers.a] needs a command"),
            ("[servers.a]\ncommand = 'x'\nurl = 'http://h'", "both command and url"),
            ("[servers.a]\nurl = 'file:///x'", "scheme must be http or https"),
            ("[servers.a]\ncommand = 'x'\ntimeout = 0", "timeout = 0"),
            ("[servers.a-b]\ncommand = 'x'\n[servers.a_b]\ncommand = 'y'", "both be app.mcp.a_b"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        assert!(parse("[servers.a]\ncommand = 'x'\ntypo = 1").is_err());
    }

    #[test]
    fn lua_names_are_lower_case_with_underscores() {
        assert_eq!(lua_name("Create-Note"), "create_note");
        assert_eq!(lua_name("get.sum v2"), "get_sum_v2");
    }

    #[test]
    fn an_mcp_servers_json_file() {
        let dir = tempdir();
        let json = dir.join("claude.json");
        std::fs::write(
            &json,
            r#"{"mcpServers": {
                "files": {"command": "npx", "args": ["-y", "server-files"], "env": {"A": "1"}, "autoApprove": []},
                "web": {"type": "http", "url": "http://127.0.0.1:9/mcp", "headers": {"X-Key": "k"}},
                "off": {"command": "x", "disabled": true}
            }}"#,
        )
        .unwrap();
        let config: McpConfig = toml::from_str(&format!(
            "servers_json = {:?}\n[servers.web]\ncommand = 'override'",
            json.display().to_string()
        ))
        .unwrap();
        let servers = config.servers(None).unwrap();
        let names: Vec<_> = servers.iter().map(|s| (s.name.as_str(), s.kind(), s.enabled)).collect();
        assert_eq!(names, [("files", "stdio", true), ("off", "stdio", false), ("web", "stdio", true)]);
        assert_eq!(servers[0].source, json);
        std::fs::write(&json, r#"{"mcpServers": {"old": {"type": "sse", "url": "http://h/sse"}}}"#).unwrap();
        assert!(config.servers(None).unwrap_err().contains("'sse' is not supported"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kosmo-mcp-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
