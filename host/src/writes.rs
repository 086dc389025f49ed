//! The path of a write call: approval (the policy, `--force`, or a
//! [`Confirmer`] shown the exact requests), the journal's no-repeat rule, the
//! call itself, and an audit record of every decision. Nothing is sent
//! unless the policy allows it or the user said yes, and nothing identical
//! twice within the journal's window unless a repeat was asked for.

use std::sync::Arc;
use std::time::Duration;

use crate::audit;
use crate::call_failure::{self, CallFailure, FailureKind};
use crate::config::Account;
use crate::confirm::{self, Answer, Confirmer, Question};
use crate::credentials::{self, Access};
use crate::gate::{Capture, CapturedRequest};
use crate::journal::{self, Journal, WriteKey};
use crate::pacing::{Deadline, WaitSink};
use crate::permission::Rule;
use crate::runtime::{CallError, Plugin, Runtime, ToolError};

/// The message of a call whose confirmation went back to the client.
pub const DEFERRED: &str = "the confirmation was handed back to the client; nothing sent";

/// One write call on its way.
pub struct Write<'a> {
    pub runtime: &'a Runtime,
    pub plugin: &'a Plugin,
    pub account: Account,
    pub tool: &'a str,
    pub arguments: &'a serde_json::Value,
    /// The policy's rule for writes of this integration (not `deny`).
    pub rule: Rule,
    /// `--force`: `ask` goes through unasked.
    pub force: bool,
    /// Who to ask when the write needs approval.
    pub confirmer: Option<Arc<dyn Confirmer>>,
    pub confirm_timeout: Option<Duration>,
    /// An identical recent write may go out again (`--allow-repeat`, or the config).
    pub allow_repeat: bool,
    /// Rate-limit waits: their bound and who is told of them (as for reads).
    pub deadline: Option<Deadline>,
    pub on_wait: Option<WaitSink>,
}

impl Write<'_> {
    /// The write's result, once approved and sent. A refusal says why in
    /// its kind: `permission` (not approved), `denied` (not sent again).
    pub async fn run(&self) -> Result<serde_json::Value, CallFailure> {
        let id = self.plugin.id();
        let key = WriteKey::new(id, &self.account.name, self.tool, self.arguments);
        let journal = Journal::default_location();
        let allow_repeat = self.allow_repeat;
        let recent = match (&journal, allow_repeat) {
            (Some(journal), false) => journal.recent(&key).map_err(unsafe_to_send)?,
            _ => None,
        };
        let needs_approval = self.rule == Rule::Ask && !self.force;
        let mut repeat_confirmed = false;
        if needs_approval || recent.is_some() {
            let Some(confirmer) = &self.confirmer else {
                return Err(match &recent {
                    Some(entry) => self.refuse_repeat(&key, entry),
                    None => not_approved(self.audit_refusal(&key, "refused", ask_refusal(id))),
                });
            };
            let requests = self.preview(true).await?;
            let question = Question {
                integration: id.to_string(),
                account: self.account.name.clone(),
                tool: self.tool.to_string(),
                arguments: self.arguments.clone(),
                requests: requests.clone(),
                repeat_of: recent.as_ref().map(|e| e.describe(journal::now_ms())),
            };
            let timeout = self.confirm_timeout.unwrap_or(confirm::DEFAULT_TIMEOUT);
            let answer = tokio::time::timeout(timeout, confirmer.confirm(&question)).await.unwrap_or(Answer::Cancel);
            match answer {
                Answer::Accept => repeat_confirmed = recent.is_some(),
                Answer::Deferred => return Err(not_approved(DEFERRED.into())),
                Answer::Decline | Answer::Cancel => {
                    let decision = if answer == Answer::Decline { "declined" } else { "cancelled" };
                    let reason = self.audit(&key, decision, &requests, None, Some(confirm::refusal(answer)));
                    return Err(not_approved(reason));
                }
            }
        }
        let ticket = match &journal {
            Some(journal) => match journal.begin(&key, allow_repeat || repeat_confirmed).map_err(unsafe_to_send)? {
                Ok(ticket) => Some(ticket),
                Err(entry) => return Err(self.refuse_repeat(&key, &entry)),
            },
            None => None,
        };
        let sent = self.send().await;
        let (Some(journal), Some(ticket)) = (&journal, ticket) else { return sent.map_err(|(failure, _)| failure) };
        match sent {
            Ok(result) => {
                let returned = returned(&result);
                if let Err(e) = journal.sent(ticket, returned.clone()) {
                    crate::log::warn(e);
                }
                self.audit(&key, "sent", &[], returned, None);
                Ok(result)
            }
            Err((failure, happened)) => {
                if !happened && let Err(e) = journal.not_sent(ticket) {
                    crate::log::warn(e);
                }
                self.audit(&key, "failed", &[], None, Some(failure.message.clone()));
                Err(failure)
            }
        }
    }

    /// The requests the plugin builds for this call, captured and not sent.
    /// With `credential`, the plugin's reads (a home-country lookup) go out.
    pub async fn preview(&self, credential: bool) -> Result<Vec<CapturedRequest>, CallFailure> {
        let id = self.plugin.id();
        let capture = Capture::default();
        let held = if credential { credentials::access(&self.account).await.ok() } else { None };
        let access = held.unwrap_or_else(|| Access::without_credential(&self.account));
        let arguments = self.arguments.to_string();
        let outcome =
            self.runtime.call_tool_capturing(self.plugin, self.tool, &arguments, &access, Some(capture.clone())).await;
        match outcome {
            Ok(_) | Err(CallError::Tool { error: ToolError::Denied(_), host: _ }) if !capture.requests().is_empty() => {
                Ok(capture.requests())
            }
            Ok(_) => Ok(Vec::new()),
            Err(e) => Err(CallFailure::from_call(id, self.tool, e)),
        }
    }

    /// `--dry-run`: the preview, recorded in the audit log.
    pub async fn dry_run(&self) -> Result<Vec<CapturedRequest>, CallFailure> {
        let key = WriteKey::new(self.plugin.id(), &self.account.name, self.tool, self.arguments);
        let requests = self.preview(false).await?;
        self.audit(&key, "previewed", &requests, None, None);
        Ok(requests)
    }

    /// The call itself; an error says whether the write may have happened.
    async fn send(&self) -> Result<serde_json::Value, (CallFailure, bool)> {
        let id = self.plugin.id();
        let mut access = credentials::access(&self.account)
            .await
            .map_err(|e| (CallFailure::new(FailureKind::Credential, e), false))?;
        if let Some(pacing) = &mut access.pacing {
            pacing.deadline = self.deadline.clone();
            pacing.progress = self.on_wait.as_ref().map(|sink| sink.0.clone());
        }
        let result =
            self.runtime.call_tool(self.plugin, self.tool, &self.arguments.to_string(), &access).await.map_err(
                |e| {
                    let happened = may_have_happened(&e);
                    (call_failure::with_account_hint(CallFailure::from_call(id, self.tool, e), &self.account), happened)
                },
            )?;
        serde_json::from_str(&result).map_err(|e| {
            let message = format!("{id}.{}: the plugin returned invalid JSON: {e}", self.tool);
            (CallFailure::new(FailureKind::Plugin, message), true)
        })
    }

    fn refuse_repeat(&self, key: &WriteKey, entry: &journal::Entry) -> CallFailure {
        let message = format!(
            "{}.{}: not sent again: {} (within the last {} minutes). To send it again deliberately, pass \
             --allow-repeat, confirm the repeat when asked, or set repeat = \"allow\" under \
             [integrations.{}.permissions] in the config",
            self.plugin.id(),
            self.tool,
            entry.describe(journal::now_ms()),
            journal::WINDOW.as_secs() / 60,
            self.plugin.id()
        );
        let reason = self.audit(key, "repeat_refused", &[], entry.returned.clone(), Some(message));
        CallFailure::new(FailureKind::Denied, reason)
    }

    fn audit_refusal(&self, key: &WriteKey, decision: &str, message: String) -> String {
        self.audit(key, decision, &[], None, Some(message))
    }

    /// Appends the decision to the audit log; gives back `reason` (or "").
    fn audit(
        &self,
        key: &WriteKey,
        decision: &str,
        requests: &[CapturedRequest],
        returned: Option<String>,
        reason: Option<String>,
    ) -> String {
        audit::append(audit::Record {
            time: audit::now(),
            decision,
            integration: self.plugin.id(),
            account: &self.account.name,
            tool: self.tool,
            arguments_sha256: &key.digest,
            requests: requests.iter().map(|r| format!("{} {}", r.method, r.url)).collect(),
            returned: returned.clone(),
            reason: reason.clone(),
            pid: std::process::id(),
        });
        reason.unwrap_or_default()
    }
}

/// A write nobody approved: declined, cancelled, or nobody to ask.
fn not_approved(reason: String) -> CallFailure {
    CallFailure::new(FailureKind::Permission, reason)
}

/// The journal could not say whether this write went out already, so it is not sent.
fn unsafe_to_send(trouble: String) -> CallFailure {
    CallFailure::new(FailureKind::Denied, trouble)
}

/// The refusal of a write the policy wants approved, when nobody can be asked.
pub fn ask_refusal(integration: &str) -> String {
    format!(
        "integration '{integration}' write access requires approval, and nobody can be asked here. Nothing was \
         sent. Ways forward: use a client that can confirm (an MCP client with elicitation, or a terminal), set \
         write = \"allow\" under [integrations.{integration}.permissions] in the config, or rerun with --force"
    )
}

/// Whether a failed write may still have reached the server and taken
/// effect: only a refusal before sending or an error answer rules it out.
fn may_have_happened(error: &CallError) -> bool {
    match error {
        CallError::Tool {
            error: ToolError::InvalidArguments(_) | ToolError::UnknownTool(_) | ToolError::Denied(_),
            ..
        } => false,
        CallError::Tool { error: ToolError::Api(e), .. } => e.status >= 500,
        CallError::Tool { error: ToolError::Transport(_), .. } | CallError::Plugin(_) | CallError::Timeout(_) => true,
    }
}

/// What names the result of a write: its record id, e.g. `id 1234`.
fn returned(result: &serde_json::Value) -> Option<String> {
    match &result["id"] {
        serde_json::Value::String(id) => Some(format!("id {id}")),
        serde_json::Value::Number(id) => Some(format!("id {id}")),
        _ => None,
    }
}
