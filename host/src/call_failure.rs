//! Why a tool call failed, with the parts a script branches on (`kind`,
//! `status`, `code`, ...) beside the message people read. Its `Display` is
//! the one message the CLI, MCP and Lua's `tostring(e)` show.

use crate::runtime::{CallError, ToolError};

/// What kind of failure, in the words scripts match on (`e.kind == "api"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The API answered with an error status (`status`, `code`, ...).
    Api,
    /// The arguments did not validate; nothing was sent.
    InvalidArguments,
    /// The host refused to send: its gate refused a request the plugin
    /// built, or a write was not sent again (the journal).
    Denied,
    /// The request could not be completed: connection, TLS, a bad answer.
    Transport,
    /// A limit of the call was hit: its time limit, or a rate limit whose
    /// wait would pass it (`retry_after`).
    Limit,
    /// The permission policy refused the call, or a write was not approved
    /// (declined, cancelled, or nobody to ask).
    Permission,
    /// No such integration or function.
    UnknownFunction,
    /// The account is not configured or its configuration is not usable.
    Account,
    /// The credential could not be obtained (the OAuth grant failed).
    Credential,
    /// The plugin trapped, panicked or broke its contract.
    Plugin,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Api => "api",
            FailureKind::InvalidArguments => "invalid_arguments",
            FailureKind::Denied => "denied",
            FailureKind::Transport => "transport",
            FailureKind::Limit => "limit",
            FailureKind::Permission => "permission",
            FailureKind::UnknownFunction => "unknown_function",
            FailureKind::Account => "account",
            FailureKind::Credential => "credential",
            FailureKind::Plugin => "plugin",
        }
    }
}

#[derive(Clone, Debug)]
pub struct CallFailure {
    pub kind: FailureKind,
    /// The whole message, as the CLI prints it.
    pub message: String,
    /// An API error's parts, when the API answered.
    pub api: Option<ApiFailure>,
    /// Seconds the server asked to wait (a 429 or 503 the host did not wait out).
    pub retry_after: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct ApiFailure {
    pub status: u16,
    pub code: Option<String>,
    pub message: String,
    pub parameter: Option<String>,
    pub request_id: Option<String>,
}

impl CallFailure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> CallFailure {
        CallFailure { kind, message: message.into(), api: None, retry_after: None }
    }

    /// A failed plugin call of `<id>.<tool>`.
    pub fn from_call(id: &str, tool: &str, error: CallError) -> CallFailure {
        let message = format!("{id}.{tool}: {error}");
        let (kind, api) = match &error {
            CallError::Plugin(_) => (FailureKind::Plugin, None),
            CallError::Timeout(_) => (FailureKind::Limit, None),
            CallError::Tool { error, .. } => match error {
                ToolError::InvalidArguments(_) => (FailureKind::InvalidArguments, None),
                ToolError::UnknownTool(_) => (FailureKind::UnknownFunction, None),
                ToolError::Transport(_) => (FailureKind::Transport, None),
                ToolError::Denied(_) => (FailureKind::Denied, None),
                ToolError::Api(e) => (
                    FailureKind::Api,
                    Some(ApiFailure {
                        status: e.status,
                        code: e.error_code.clone(),
                        message: e.message.clone(),
                        parameter: e.parameter_name.clone(),
                        request_id: e.request_id.clone(),
                    }),
                ),
            },
        };
        let notes = match &error {
            CallError::Tool { host, .. } => host.as_slice(),
            _ => &[],
        };
        // Not sent because pacing to the rate limit would wait past the deadline.
        let paced_out = notes.iter().find_map(|note| crate::pacing::required_wait(note));
        let kind = if paced_out.is_some() { FailureKind::Limit } else { kind };
        let retry_after = paced_out
            .map(|seconds| seconds.ceil() as u64)
            .or_else(|| notes.iter().find_map(|note| asked_to_wait(note)));
        CallFailure { kind, message, api, retry_after }
    }
}

/// The gate's note on a 429/503 it did not wait out says how long the server
/// asked for: "the server asked to wait 40 s, beyond ...".
fn asked_to_wait(note: &str) -> Option<u64> {
    let rest = note.split("asked to wait ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

impl std::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<CallFailure> for String {
    fn from(failure: CallFailure) -> String {
        failure.message
    }
}

/// What a person should check after a refused connection or a 401, in the
/// words of the account's own settings (the environment for `default`, its
/// config section for a named account).
pub fn with_account_hint(mut failure: CallFailure, account: &crate::config::Account) -> CallFailure {
    let named = account.name != crate::config::DEFAULT_ACCOUNT;
    let section = format!("[integrations.{}.accounts.{}]", account.integration, account.name);
    let env = &account.profile.env;
    let refused = failure.kind == FailureKind::Transport && failure.message.to_lowercase().contains("refused");
    let unauthorized = failure.api.as_ref().is_some_and(|api| api.status == 401);
    let hint = if refused {
        let setting = if named { format!("server_url in {section}") } else { env.server_url.to_string() };
        format!("nothing answers at {}; check {setting}", account.server.to_url())
    } else if unauthorized {
        let setting = match (&account.credential, named) {
            (crate::config::Credential::Static(_), false) => env.access_token.to_string(),
            (crate::config::Credential::Static(_), true) => format!("access_token in {section}"),
            (crate::config::Credential::Jwt { .. }, false) => {
                format!("{}, {} and {}", env.client_id, env.client_secret, env.user_jwt)
            }
            (crate::config::Credential::Jwt { .. }, true) => format!("client_id, client_secret and jwt in {section}"),
        };
        format!("the server refused the credential; check {setting}")
    } else {
        return failure;
    };
    failure.message = format!("{} ({hint})", failure.message);
    failure
}
