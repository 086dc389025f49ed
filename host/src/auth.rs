//! The OAuth client: RingCentral's JWT bearer grant (RFC 7523) with Basic
//! client authentication, refresh tokens, and an on-disk token cache shared by
//! every kosmo process of the user.
//!
//! * Tokens are cached in `<user cache dir>/kosmo/tokens/` (directory 0700,
//!   files 0600), one file per integration, account, client id and server.
//!   The file records a fingerprint of the JWT, so a changed `RC_USER_JWT`
//!   never reuses the previous user's tokens.
//! * An access token is used until shortly before it expires (a fifth of its
//!   lifetime, at most 60 s); then it is refreshed. A process keeps the token
//!   in memory meanwhile ([`TokenSource::shared`]), so a script's calls do
//!   not read the cache file each time.
//! * Refresh tokens are single-use, so refreshing happens under an exclusive
//!   lock on a file next to the cache (`File::lock`, an OS advisory lock that
//!   dies with its process). Whoever gets the lock first refreshes; the others
//!   find the new token in the cache when they get it.
//! * A refresh token that no longer works falls back to the JWT grant.
//!
//! This module talks to the account's own token endpoint only (the server was
//! checked by `allowlist::checked_server`), follows no redirects and uses no proxy.
//! Secrets appear in no error message.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::allowlist::Origin;
use crate::pacing::{self, Pacer};
use crate::profile::IntegrationProfile;
use crate::shared_state::{RedisLock, RedisState, SharedState};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Refresh at most this long before expiry (and at most a fifth of the lifetime).
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// How long a process waits for another one's refresh.
const LOCK_WAIT: Duration = Duration::from_secs(45);
/// How long a token request may wait for the Auth group's rate limit.
const MAX_PACING_WAIT: Duration = Duration::from_secs(60);
const LOCK_POLL: Duration = Duration::from_millis(20);
/// A token endpoint asking for a longer pause than this is answered with an error.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const MAX_TOKEN_RESPONSE: u64 = 64 << 10;

/// What the JWT grant needs. Never printed.
#[derive(PartialEq, Eq)]
pub struct JwtCredential {
    /// Where the token endpoint is, and what to say when it refuses.
    pub profile: &'static IntegrationProfile,
    pub server: Origin,
    /// `<integration>/<account>`: part of the cache key.
    pub account: String,
    pub client_id: String,
    pub client_secret: String,
    pub jwt: String,
}

/// Why no token could be had. Messages carry no secret.
#[derive(Debug)]
pub struct AuthError {
    pub message: String,
    /// The grant itself was refused (`invalid_grant`): retrying it is pointless.
    invalid_grant: bool,
}

impl AuthError {
    fn new(message: impl Into<String>) -> AuthError {
        AuthError { message: message.into(), invalid_grant: false }
    }
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One cache entry. Times are Unix milliseconds, comparable across processes.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Tokens {
    jwt_fingerprint: String,
    access_token: String,
    issued_at_ms: u64,
    expires_at_ms: u64,
    refresh_token: Option<String>,
    refresh_expires_at_ms: Option<u64>,
}

impl Tokens {
    /// Usable now, with the refresh margin to spare.
    fn is_fresh(&self, now_ms: u64) -> bool {
        let lifetime = self.expires_at_ms.saturating_sub(self.issued_at_ms);
        let margin = (lifetime / 5).min(MAX_REFRESH_MARGIN.as_millis() as u64);
        now_ms + margin < self.expires_at_ms
    }

    fn usable_refresh_token(&self, now_ms: u64) -> Option<&str> {
        let token = self.refresh_token.as_deref()?;
        match self.refresh_expires_at_ms {
            Some(expires) if expires <= now_ms + 5_000 => None,
            _ => Some(token),
        }
    }
}

/// Where tokens are kept between calls.
enum Storage {
    /// `<dir>/<key>.json`, with `<dir>/<key>.lock` serialising refreshes.
    Disk { file: PathBuf, lock: PathBuf },
    /// `KOSMO_STATE_URL`: `kosmo:tokens:<key>`, with the lock `kosmo:tokens:<key>.lock`.
    Redis { state: Arc<RedisState>, key: String },
    /// No cache directory: this process only.
    Memory(String),
}

impl PartialEq for Storage {
    fn eq(&self, other: &Storage) -> bool {
        match (self, other) {
            (Storage::Disk { file, .. }, Storage::Disk { file: other, .. }) => file == other,
            (Storage::Redis { state, key }, Storage::Redis { state: other, key: other_key }) => {
                Arc::ptr_eq(state, other) && key == other_key
            }
            (Storage::Memory(key), Storage::Memory(other)) => key == other,
            _ => false,
        }
    }
}

/// In-memory tokens for processes without a cache directory, keyed like the files.
static MEMORY: Mutex<Vec<(String, Tokens)>> = Mutex::new(Vec::new());

/// Obtains access tokens for one account. Methods block: call them from
/// `spawn_blocking`.
pub struct TokenSource {
    credential: JwtCredential,
    storage: Storage,
    fingerprint: String,
    /// The tokens this process last read or obtained: while fresh, calls use
    /// them without reading the cache file (another process's renewal is
    /// picked up when the server rejects the old token, or at expiry).
    last: Mutex<Option<Tokens>>,
    /// The token endpoint's own ledger (the Auth group), apart from the API's:
    /// requests the gate has not seen yet never wait on it.
    pacer: Pacer,
}

impl TokenSource {
    /// A source whose cache lives in the shared state: files under
    /// `<user cache dir>/kosmo/tokens/`, Redis, or this process's memory.
    pub fn new(credential: JwtCredential, state: &SharedState) -> TokenSource {
        let key = cache_key(&credential);
        let storage = match state {
            SharedState::Files(root) => {
                let dir = root.join("tokens");
                Storage::Disk { file: dir.join(format!("{key}.json")), lock: dir.join(format!("{key}.lock")) }
            }
            SharedState::Redis(redis) => Storage::Redis { state: redis.clone(), key: format!("tokens:{key}") },
            SharedState::Memory => Storage::Memory(key),
        };
        let fingerprint = fingerprint(&credential.jwt);
        let identity = format!("jwt:{}:{}#token-endpoint", credential.client_id, credential.jwt);
        let pacer = Pacer::new(state.clone(), &credential.server.to_url(), &identity);
        TokenSource { credential, storage, fingerprint, last: Mutex::new(None), pacer }
    }

    /// The process's one source for this credential and cache, so that the
    /// token it holds in memory serves every call.
    pub fn shared(credential: JwtCredential, state: &SharedState) -> Arc<TokenSource> {
        static SOURCES: Mutex<Vec<Arc<TokenSource>>> = Mutex::new(Vec::new());
        let source = TokenSource::new(credential, state);
        let mut sources = SOURCES.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = sources.iter().find(|s| s.credential == source.credential && s.storage == source.storage) {
            return known.clone();
        }
        let source = Arc::new(source);
        sources.push(source.clone());
        source
    }

    /// The access token held in memory, if it is good for a while yet. Never blocks on I/O.
    pub fn fresh_token(&self) -> Option<String> {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        last.as_ref().filter(|t| t.is_fresh(now_ms())).map(|t| t.access_token.clone())
    }

    fn remember(&self, tokens: &Tokens) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(tokens.clone());
    }

    /// A token that is good for a while yet: the cached one, else a refreshed one.
    pub fn access_token(&self) -> Result<String, AuthError> {
        if let Some(token) = self.fresh_token() {
            return Ok(token);
        }
        if let Some(tokens) = self.load().filter(|t| t.is_fresh(now_ms())) {
            self.remember(&tokens);
            return Ok(tokens.access_token);
        }
        self.renew_locked(None)
    }

    /// The server refused `rejected`: returns a different token, refreshing
    /// unless another process already did.
    pub fn renew(&self, rejected: &str) -> Result<String, AuthError> {
        self.renew_locked(Some(rejected))
    }

    fn renew_locked(&self, rejected: Option<&str>) -> Result<String, AuthError> {
        let _guard = self.lock()?;
        let cached = self.load();
        if let Some(tokens) = &cached {
            // Another process may have renewed it while this one waited for the lock.
            let replaced = rejected.is_none_or(|r| r != tokens.access_token);
            if replaced && tokens.is_fresh(now_ms()) {
                self.remember(tokens);
                return Ok(tokens.access_token.clone());
            }
        }
        let refreshed = match cached.as_ref().and_then(|t| t.usable_refresh_token(now_ms())) {
            Some(refresh_token) => {
                match self.grant(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]) {
                    Ok(tokens) => tokens,
                    // Used elsewhere, revoked or expired: the JWT still works.
                    Err(error) if error.invalid_grant => self.jwt_grant()?,
                    Err(error) => return Err(error),
                }
            }
            None => self.jwt_grant()?,
        };
        if let Err(error) = self.store(&refreshed) {
            crate::log::warn(format!("cannot cache the access token: {error}"));
        }
        self.remember(&refreshed);
        Ok(refreshed.access_token)
    }

    fn jwt_grant(&self) -> Result<Tokens, AuthError> {
        self.grant(&[("grant_type", JWT_GRANT), ("assertion", &self.credential.jwt)])
    }

    /// One exchange with the token endpoint, retried once if it asks for a short pause.
    fn grant(&self, form: &[(&str, &str)]) -> Result<Tokens, AuthError> {
        let grant_name = if form[0].1 == JWT_GRANT { "the JWT grant" } else { "the token refresh" };
        let url = format!("{}{}", self.credential.server.to_url(), self.credential.profile.token_path);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("kosmo/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.credential.client_id, self.credential.client_secret));
        let mut waited = false;
        let route = pacing::route("POST", self.credential.profile.token_path);
        loop {
            let ticket = self.pacer.admit_blocking(&route, MAX_PACING_WAIT).map_err(AuthError::new)?;
            let started_ms = now_ms();
            let response = agent
                .post(&url)
                .header("Authorization", format!("Basic {basic}"))
                .header("Accept", "application/json")
                .send_form(form.iter().copied());
            let mut response = match response {
                Ok(response) => response,
                Err(e) => {
                    let _ = self.pacer.settle(&route, ticket, None);
                    return Err(AuthError::new(format!("{grant_name} at {url} failed: {e}")));
                }
            };
            let status = response.status().as_u16();
            let _ = self.pacer.settle(&route, ticket, Some(&pacing::answer_of(status, response.headers())));
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_TOKEN_RESPONSE)
                .read_to_string()
                .map_err(|e| AuthError::new(format!("{grant_name} at {url}: reading the answer failed: {e}")))?;
            if status == 200 {
                return parse_tokens(&body, started_ms, &self.fingerprint)
                    .map_err(|e| AuthError::new(format!("{grant_name} at {url}: {e}")));
            }
            if matches!(status, 429 | 503)
                && !waited
                && let Some(pause) = retry_after.filter(|p| *p <= MAX_RETRY_AFTER)
            {
                waited = true;
                std::thread::sleep(pause);
                continue;
            }
            return Err(refusal(self.credential.profile, grant_name, &url, status, &body));
        }
    }

    fn load(&self) -> Option<Tokens> {
        let tokens = match &self.storage {
            Storage::Disk { file, .. } => {
                let text = std::fs::read_to_string(file).ok()?;
                serde_json::from_str::<Tokens>(&text).ok()?
            }
            Storage::Redis { state, key } => match state.get(key) {
                Ok(text) => serde_json::from_str::<Tokens>(&text?).ok()?,
                Err(trouble) => {
                    crate::log::warn(format!("cannot read the token cache: {trouble}"));
                    return None;
                }
            },
            Storage::Memory(key) => {
                let memory = MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
                memory.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone())?
            }
        };
        (tokens.jwt_fingerprint == self.fingerprint).then_some(tokens)
    }

    /// Writes the cache atomically: a private temporary file renamed into place.
    fn store(&self, tokens: &Tokens) -> Result<(), String> {
        match &self.storage {
            Storage::Disk { file, .. } => {
                let dir = file.parent().ok_or("the cache file has no directory")?;
                let temporary = dir.join(format!(".{}.{}.tmp", file_name(file), std::process::id()));
                let text = serde_json::to_string(tokens).map_err(|e| e.to_string())?;
                let write = || -> std::io::Result<()> {
                    let _ = std::fs::remove_file(&temporary);
                    let mut out = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temporary)?;
                    out.write_all(text.as_bytes())?;
                    out.sync_all()?;
                    std::fs::rename(&temporary, file)
                };
                write().map_err(|e| {
                    let _ = std::fs::remove_file(&temporary);
                    format!("{}: {e}", file.display())
                })
            }
            Storage::Redis { state, key } => {
                let text = serde_json::to_string(tokens).map_err(|e| e.to_string())?;
                state.set(key, &text)
            }
            Storage::Memory(key) => {
                let mut memory = MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
                memory.retain(|(k, _)| k != key);
                memory.push((key.clone(), tokens.clone()));
                Ok(())
            }
        }
    }

    /// The cross-process lock around refresh; held until the guard drops.
    fn lock(&self) -> Result<LockGuard, AuthError> {
        match &self.storage {
            Storage::Disk { lock, .. } => {
                let dir = lock.parent().unwrap_or(Path::new("."));
                create_private_dir(dir)
                    .map_err(|e| AuthError::new(format!("cannot create the token cache {}: {e}", dir.display())))?;
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .mode(0o600)
                    .open(lock)
                    .map_err(|e| AuthError::new(format!("cannot open the token lock {}: {e}", lock.display())))?;
                let started = Instant::now();
                loop {
                    match file.try_lock() {
                        Ok(()) => return Ok(LockGuard::File(file)),
                        Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                            std::thread::sleep(LOCK_POLL);
                        }
                        Err(std::fs::TryLockError::WouldBlock) => {
                            return Err(AuthError::new(format!(
                                "another kosmo process has held the token lock {} for over {} s",
                                lock.display(),
                                LOCK_WAIT.as_secs()
                            )));
                        }
                        Err(std::fs::TryLockError::Error(e)) => {
                            return Err(AuthError::new(format!("cannot lock {}: {e}", lock.display())));
                        }
                    }
                }
            }
            Storage::Redis { state, key } => {
                state.lock(&format!("{key}.lock"), LOCK_WAIT).map(LockGuard::Redis).map_err(AuthError::new)
            }
            Storage::Memory(_) => {
                static REFRESH: Mutex<()> = Mutex::new(());
                Ok(LockGuard::Memory(REFRESH.lock().unwrap_or_else(PoisonError::into_inner)))
            }
        }
    }
}

enum LockGuard {
    /// Closing the file releases the lock.
    File(#[allow(dead_code)] File),
    Memory(#[allow(dead_code)] std::sync::MutexGuard<'static, ()>),
    /// Dropping it releases the Redis lock.
    Redis(#[allow(dead_code)] RedisLock),
}

/// The cache directory and its parents up to `kosmo/`, readable by the user only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `<integration>_<account>@<client id>@<host>_<port>`, with anything outside
/// `[A-Za-z0-9.-]` escaped as `_xx`, so distinct accounts never share a file.
fn cache_key(credential: &JwtCredential) -> String {
    let server = format!("{}:{}", credential.server.host, credential.server.port);
    [credential.account.as_str(), &credential.client_id, &server].map(escape).join("@")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    out
}

/// A short digest of the JWT: tells whether the cache belongs to it, reveals nothing.
fn fingerprint(jwt: &str) -> String {
    let digest = Sha256::digest(jwt.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_token_expires_in: Option<u64>,
}

fn parse_tokens(body: &str, issued_at_ms: u64, fingerprint: &str) -> Result<Tokens, String> {
    let answer: TokenResponse =
        serde_json::from_str(body).map_err(|e| format!("the answer is not a token response: {e}"))?;
    if answer.token_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
        return Err("the answer is not a bearer token".into());
    }
    if answer.access_token.is_empty() || answer.expires_in == 0 {
        return Err("the answer holds no usable access token".into());
    }
    Ok(Tokens {
        jwt_fingerprint: fingerprint.to_string(),
        access_token: answer.access_token,
        issued_at_ms,
        expires_at_ms: issued_at_ms + answer.expires_in * 1000,
        refresh_token: answer.refresh_token.filter(|t| !t.is_empty()),
        refresh_expires_at_ms: answer.refresh_token_expires_in.map(|s| issued_at_ms + s * 1000),
    })
}

/// `{error, error_description, errors: [{errorCode, message}]}`, or whatever came.
fn refusal(profile: &IntegrationProfile, grant_name: &str, url: &str, status: u16, body: &str) -> AuthError {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |name: &str| parsed.as_ref().and_then(|v| v.get(name)).and_then(|v| v.as_str()).map(str::to_string);
    let code = parsed
        .as_ref()
        .and_then(|v| v.pointer("/errors/0/errorCode"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| field("errorCode"));
    let error = field("error");
    let description = field("error_description")
        .or_else(|| field("message"))
        .unwrap_or_else(|| body.chars().take(160).collect::<String>().trim().to_string());
    let mut message = format!("{grant_name} was refused by {url}: HTTP {status}");
    for part in [&error, &code].into_iter().flatten() {
        message.push(' ');
        message.push_str(part);
    }
    if !description.is_empty() {
        message.push_str(": ");
        message.push_str(&description);
    }
    match (error.as_deref(), status) {
        (Some("invalid_client"), _) | (_, 401) => message.push_str(&profile.invalid_client_hint()),
        (Some("invalid_grant"), _) if grant_name == "the JWT grant" => message.push_str(&profile.invalid_jwt_hint()),
        (_, 429) => message.push_str(&format!(" ({}; try again later)", profile.token_rate_hint)),
        _ => {}
    }
    AuthError { message, invalid_grant: error.as_deref() == Some("invalid_grant") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(account: &str, client_id: &str) -> JwtCredential {
        JwtCredential {
            profile: &crate::profile::RINGCENTRAL,
            server: Origin::parse("https://platform.ringcentral.com").unwrap(),
            account: account.into(),
            client_id: client_id.into(),
            client_secret: "secret".into(),
            jwt: "jwt".into(),
        }
    }

    #[test]
    fn freshness_keeps_a_margin() {
        let tokens = |issued: u64, expires: u64| Tokens {
            jwt_fingerprint: String::new(),
            access_token: "a".into(),
            issued_at_ms: issued,
            expires_at_ms: expires,
            refresh_token: None,
            refresh_expires_at_ms: None,
        };
        // One hour: refreshed in its last minute.
        let hour = tokens(0, 3_600_000);
        assert!(hour.is_fresh(3_539_000));
        assert!(!hour.is_fresh(3_541_000));
        // Ten seconds: refreshed in its last two.
        let short = tokens(0, 10_000);
        assert!(short.is_fresh(7_900));
        assert!(!short.is_fresh(8_100));
    }

    #[test]
    fn cache_keys_separate_accounts_clients_and_servers() {
        let a = cache_key(&credential("ringcentral/default", "client"));
        assert_eq!(a, "ringcentral_2fdefault@client@platform.ringcentral.com_3a443");
        assert_ne!(a, cache_key(&credential("ringcentral/work", "client")));
        assert_ne!(a, cache_key(&credential("ringcentral/default", "other")));
        // Escaping is injective: a separator in a name cannot forge another key.
        assert_ne!(cache_key(&credential("a@b", "c")), cache_key(&credential("a", "b@c")));
        assert!(!cache_key(&credential("../../etc", "x/y")).contains('/'));
    }

    #[test]
    fn refusals_name_the_problem_without_secrets() {
        let body = r#"{"error":"invalid_grant","errors":[{"errorCode":"OAU-140","message":"Invalid JWT"}],"error_description":"Invalid JWT"}"#;
        let error = refusal(&crate::profile::RINGCENTRAL, "the JWT grant", "https://x/restapi/oauth/token", 400, body);
        assert!(error.invalid_grant);
        assert!(error.message.contains("invalid_grant OAU-140: Invalid JWT"), "{}", error.message);
        assert!(error.message.contains("RC_USER_JWT"), "{}", error.message);
        let html = refusal(&crate::profile::RINGCENTRAL, "the token refresh", "u", 502, "<html>Bad Gateway</html>");
        assert!(html.message.contains("HTTP 502: <html>Bad Gateway</html>"), "{}", html.message);
    }

    #[test]
    fn token_responses() {
        let tokens = parse_tokens(
            r#"{"access_token":"A","token_type":"bearer","expires_in":3600,"refresh_token":"R","refresh_token_expires_in":604800}"#,
            1_000,
            "f",
        )
        .unwrap();
        assert_eq!(tokens.expires_at_ms, 3_601_000);
        assert_eq!(tokens.refresh_expires_at_ms, Some(604_801_000));
        assert!(parse_tokens(r#"{"access_token":"","expires_in":1}"#, 0, "f").is_err());
        assert!(parse_tokens("<html>", 0, "f").is_err());
    }
}
