//! Confirmation of writes over MCP, in both protocol eras. A call whose
//! write needs approval asks the client's user, if the client declared the
//! elicitation capability: a form with one boolean, whose message names the
//! integration, account and tool and shows the exact request(s).
//!
//! * Up to 2025-11-25 the server asks while the call waits: an
//!   `elicitation/create` request to the client ([`Elicitation`]).
//! * From 2026-07-28 servers may not send requests: the call ends with an
//!   input-required result carrying the same elicitation and a `requestState`
//!   handle; the client retries the call with the answer ([`Rounds`]). The
//!   handle is kept here (never trusted from the client), binds the exact
//!   tool, arguments and question, and serves one retry.
//!
//! A client without elicitation gets the host's refusal, which names the
//! ways forward.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, ElicitRequest, ElicitRequestParams, ElicitationAction, ElicitationSchema, InputRequest,
    InputRequests, InputRequiredResult, ProtocolVersion,
};
use rmcp::service::RequestContext;

use crate::confirm::{Answer, AnswerFuture, Confirmer, Question};
use crate::gate::CapturedRequest;

/// The one field of the confirmation form.
const FIELD: &str = "confirm";
/// The key of the elicitation in an input-required result.
const INPUT_KEY: &str = "confirm_write";

/// Questions handed to 2026-07-28 clients, waiting for their retry.
#[derive(Default)]
pub struct Rounds {
    pending: Mutex<HashMap<String, Pending>>,
}

struct Pending {
    tool: String,
    arguments: serde_json::Value,
    /// What the user saw: the retry must build the very same requests.
    requests: Vec<CapturedRequest>,
    asked: Instant,
}

/// How one call may be confirmed.
pub enum Route {
    /// The client cannot be asked: refusal.
    None,
    /// 2025-11-25: ask now, over `elicitation/create`.
    Elicit(Arc<dyn Confirmer>),
    /// 2026-07-28, first round: the question goes back in the result.
    Defer(Arc<Deferring>),
    /// 2026-07-28, a retry: the user's answer, for the question asked then.
    Answered(Arc<dyn Confirmer>),
}

impl Route {
    pub fn confirmer(&self) -> Option<Arc<dyn Confirmer>> {
        match self {
            Route::None => None,
            Route::Elicit(confirmer) | Route::Answered(confirmer) => Some(confirmer.clone()),
            Route::Defer(deferring) => Some(deferring.clone()),
        }
    }
}

impl Rounds {
    /// The route of a call, from its protocol version, the client's
    /// capabilities and (on a retry) its answer.
    pub fn route(
        &self,
        context: &RequestContext<RoleServer>,
        request: &CallToolRequestParams,
        timeout: Duration,
    ) -> Result<Route, String> {
        let elicits = context
            .client_capabilities()
            .and_then(|c| c.elicitation)
            .is_some_and(|e| e.form.is_some() || e.url.is_none());
        let stateless = context.protocol_version().is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
        if let Some(state) = &request.request_state {
            return self.answer(request, state, timeout).map(Route::Answered);
        }
        Ok(match (elicits, stateless) {
            (false, _) => Route::None,
            (true, false) => Route::Elicit(Arc::new(Elicitation { context: context.clone(), timeout })),
            (true, true) => Route::Defer(Arc::new(Deferring::default())),
        })
    }

    /// Keeps a deferred question and gives the result that hands it to the client.
    pub fn input_required(&self, request: &CallToolRequestParams, question: &Question) -> InputRequiredResult {
        let text = question.text();
        let state = state_handle(&text);
        let arguments = serde_json::Value::Object(request.arguments.clone().unwrap_or_default());
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.retain(|_, p| p.asked.elapsed() < Duration::from_secs(3600));
        pending.insert(
            state.clone(),
            Pending {
                tool: request.name.to_string(),
                arguments,
                requests: question.requests.clone(),
                asked: Instant::now(),
            },
        );
        let mut requests = InputRequests::new();
        requests.insert(INPUT_KEY.to_string(), InputRequest::Elicitation(ElicitRequest::new(form(text))));
        InputRequiredResult::new(Some(requests), Some(state))
    }

    /// The answer a retry carries, for the question its handle names.
    fn answer(
        &self,
        request: &CallToolRequestParams,
        state: &str,
        timeout: Duration,
    ) -> Result<Arc<dyn Confirmer>, String> {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner).remove(state);
        let Some(pending) = pending else {
            return Err(
                "this confirmation is unknown or was already used; nothing sent. Call the tool again to be asked anew"
                    .into(),
            );
        };
        let arguments = serde_json::Value::Object(request.arguments.clone().unwrap_or_default());
        if pending.tool != request.name || pending.arguments != arguments {
            return Err(
                "the retry names another tool or other arguments than the confirmation did; nothing sent".into()
            );
        }
        let answer = if pending.asked.elapsed() > timeout {
            Answer::Cancel
        } else {
            let response = request.input_responses.as_ref().and_then(|r| r.get(INPUT_KEY));
            response.map_or(Answer::Cancel, read_answer)
        };
        Ok(Arc::new(Given { answer, requests: pending.requests }))
    }
}

/// The form: the question as its message, one required boolean.
fn form(message: String) -> ElicitRequestParams {
    let schema = ElicitationSchema::builder()
        .required_bool_with(FIELD, |b| b.title("Send it?").description("Yes sends this once; no sends nothing"))
        .build()
        .expect("one boolean is a valid form");
    ElicitRequestParams::FormElicitationParams { meta: None, message, requested_schema: schema }
}

/// Accept with `confirm: true` is a yes; accept with false is a no.
fn read_answer(result: &serde_json::Value) -> Answer {
    match result["action"].as_str() {
        Some("accept") if result["content"][FIELD] == serde_json::Value::Bool(true) => Answer::Accept,
        Some("accept") | Some("decline") => Answer::Decline,
        _ => Answer::Cancel,
    }
}

/// A handle nobody can guess: the question's digest with the time and a counter.
fn state_handle(text: &str) -> String {
    use sha2::Digest;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let seed = format!("{text}\u{0}{nanos}\u{0}{n}\u{0}{}\u{0}{:p}", std::process::id(), &COUNTER);
    crate::cache::hex(&sha2::Sha256::digest(seed.as_bytes()))
}

/// Asks over `elicitation/create` and waits (2025-11-25 and before).
struct Elicitation {
    context: RequestContext<RoleServer>,
    timeout: Duration,
}

impl Confirmer for Elicitation {
    fn confirm<'a>(&'a self, question: &'a Question) -> AnswerFuture<'a> {
        Box::pin(async move {
            let asked = self.context.peer.create_elicitation_with_timeout(form(question.text()), Some(self.timeout));
            match asked.await {
                Ok(result) => match result.action {
                    ElicitationAction::Accept => {
                        read_answer(&serde_json::json!({"action": "accept", "content": result.content}))
                    }
                    ElicitationAction::Decline => Answer::Decline,
                    _ => Answer::Cancel,
                },
                Err(e) => {
                    crate::log::info(format!("mcp: the confirmation got no answer ({e}); cancelled"));
                    Answer::Cancel
                }
            }
        })
    }
}

/// Keeps the question for an input-required result and sends nothing.
#[derive(Default)]
pub struct Deferring {
    question: Mutex<Option<Question>>,
}

impl Deferring {
    pub fn question(&self) -> Option<Question> {
        self.question.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Confirmer for Deferring {
    fn confirm<'a>(&'a self, question: &'a Question) -> AnswerFuture<'a> {
        *self.question.lock().unwrap_or_else(PoisonError::into_inner) = Some(question.clone());
        Box::pin(async { Answer::Deferred })
    }
}

/// The answer a retry brought; a yes holds only for the very question asked.
struct Given {
    answer: Answer,
    requests: Vec<CapturedRequest>,
}

impl Confirmer for Given {
    fn confirm<'a>(&'a self, question: &'a Question) -> AnswerFuture<'a> {
        let answer = match self.answer {
            Answer::Accept if question.requests != self.requests => {
                crate::log::info("mcp: the request changed since it was confirmed; asking counts as declined");
                Answer::Decline
            }
            answer => answer,
        };
        Box::pin(async move { answer })
    }
}
