//! Asking the user before a write goes out. A front end that can ask (an MCP
//! client with elicitation, a terminal) supplies a [`Confirmer`]; the host
//! asks it with a [`Question`] that names the integration, account and tool
//! and shows the exact request(s) the plugin built, captured by a preview.
//! Only an explicit yes sends, once; anything else sends nothing.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::gate::CapturedRequest;
use crate::untrusted_text;

pub mod terminal;

/// How long a question waits for its answer before it counts as cancelled.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// What the user is asked to approve.
#[derive(Clone, Debug)]
pub struct Question {
    pub integration: String,
    pub account: String,
    pub tool: String,
    /// The arguments the call was made with (what `send_sms` says in plain
    /// words: sender, recipient, text).
    pub arguments: serde_json::Value,
    /// The requests the plugin built, as they would leave.
    pub requests: Vec<CapturedRequest>,
    /// Set when an identical write went out recently: when, and what it returned.
    pub repeat_of: Option<String>,
}

impl Question {
    /// The question as one text, control characters escaped (it quotes the
    /// arguments and what the plugin built).
    pub fn text(&self) -> String {
        let mut text =
            format!("Allow {}.{} on the '{}' account to make this change?", self.integration, self.tool, self.account);
        if self.tool == "send_sms" {
            let field = |name: &str| self.sms_field(name);
            text.push_str(&format!(
                "\nSend an SMS\n  from: {}\n  to:   {}\n  text: {}",
                field("from"),
                field("to"),
                field("text")
            ));
        }
        if let Some(repeat) = &self.repeat_of {
            text.push_str(&format!("\nThis repeats a write: {repeat}"));
        }
        if self.requests.is_empty() {
            text.push_str("\n(the plugin built no request)");
        }
        for request in &self.requests {
            text.push_str(&format!("\n{}", request.describe()));
        }
        untrusted_text::block(&text).into_owned()
    }

    /// A field of the SMS as it goes on the wire (the number completed to
    /// E.164), else as given.
    fn sms_field(&self, name: &str) -> String {
        let sms = self.requests.iter().rev().find(|r| r.method == "POST").map(|r| &r.body);
        let wire = sms.and_then(|body| match name {
            "from" => body["from"]["phoneNumber"].as_str().map(str::to_string),
            "to" => body["to"]
                .as_array()
                .map(|to| to.iter().filter_map(|t| t["phoneNumber"].as_str()).collect::<Vec<_>>().join(", ")),
            _ => body[name].as_str().map(str::to_string),
        });
        wire.or_else(|| self.arguments[name].as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// The user's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
    /// Dismissed, or no answer in time.
    Cancel,
    /// The question goes back to the client, to be answered in a retry of the
    /// call (MCP's input-required result); nothing is sent now.
    Deferred,
}

pub type AnswerFuture<'a> = Pin<Box<dyn Future<Output = Answer> + Send + 'a>>;

/// Something that can put a [`Question`] to the user.
pub trait Confirmer: Send + Sync {
    fn confirm<'a>(&'a self, question: &'a Question) -> AnswerFuture<'a>;
}

/// What a call that was not confirmed ends with.
pub fn refusal(answer: Answer) -> String {
    match answer {
        Answer::Decline => "declined by the user, nothing sent".into(),
        Answer::Cancel => "cancelled (no answer, or the question was dismissed), nothing sent".into(),
        Answer::Accept | Answer::Deferred => "not confirmed, nothing sent".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sms_question_names_sender_recipient_and_text_as_sent_escaped() {
        let request = CapturedRequest {
            method: "POST".into(),
            url: "https://platform.ringcentral.com/restapi/v1.0/account/~/extension/~/sms".into(),
            headers: Default::default(),
            body: serde_json::json!({"from": {"phoneNumber": "+16505551234"}, "to": [{"phoneNumber": "+16505559876"}], "text": "hi\u{1b}[2J"}),
        };
        let question = Question {
            integration: "ringcentral".into(),
            account: "default".into(),
            tool: "send_sms".into(),
            arguments: serde_json::json!({"from": "+16505551234", "to": "650-555-9876", "text": "hi\u{1b}[2J"}),
            requests: vec![request],
            repeat_of: None,
        };
        let text = question.text();
        assert!(text.contains("ringcentral.send_sms on the 'default' account"), "{text}");
        assert!(text.contains("to:   +16505559876"), "{text}");
        assert!(text.contains("from: +16505551234"), "{text}");
        assert!(!text.contains('\u{1b}'), "control characters are escaped: {text}");
        assert!(text.contains("POST https://platform.ringcentral.com/restapi/v1.0/account/~/extension/~/sms"));
    }
}
