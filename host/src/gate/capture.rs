//! The preview gate: every request a plugin builds in a preview is recorded
//! exactly as it would leave (method, full URL with its query, the headers the
//! plugin set, the body) and answered with a refusal, so nothing is sent.
//! Only a GET may still go out, and only when the call holds a credential
//! (a confirmation's preview): it reads what the plugin needs to build its
//! write, such as the home country that completes a phone number.

use std::sync::{Arc, Mutex, PoisonError};

use http::Method;
use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error as HttpError, WasiBody};

use super::body::CappedBody;
use super::exchange::IoFuture;
use super::headers::strip_forbidden;
use super::limits::Notes;

/// One request as the plugin built it. The `Authorization` the host injects
/// is never part of it: the gate adds that only to requests it sends.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CapturedRequest {
    pub method: String,
    pub url: String,
    pub headers: std::collections::BTreeMap<String, String>,
    /// JSON when the body is JSON, else its text; `null` without a body.
    pub body: serde_json::Value,
}

impl CapturedRequest {
    /// `POST https://…/sms` and the body, for a person to read.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {}", self.method, self.url);
        match &self.body {
            serde_json::Value::Null => {}
            serde_json::Value::String(body) => text.push_str(&format!("\n{body}")),
            body => text.push_str(&format!("\n{}", serde_json::to_string_pretty(body).unwrap_or_default())),
        }
        text
    }
}

/// The requests one preview captured; shared by the gate and the caller.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<CapturedRequest>>>);

impl Capture {
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether `method` is held back rather than sent: everything but a GET,
    /// and a GET too when there is no credential to send it with.
    pub fn holds(&self, method: &Method, has_credential: bool) -> bool {
        *method != Method::GET || !has_credential
    }

    /// Records the request (its body read within `max_body`) and refuses it.
    pub async fn record(
        self,
        request: http::Request<WasiBody>,
        max_body: u64,
        notes: Notes,
    ) -> Result<(http::Response<WasiBody>, IoFuture), HttpError> {
        let (parts, body) = request.into_parts();
        let body = CappedBody::new(body, max_body, false, notes).collect().await?.to_bytes();
        let mut headers = parts.headers;
        strip_forbidden(&mut headers, None);
        let headers = headers
            .iter()
            .filter(|(name, _)| *name != http::header::AUTHORIZATION)
            .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body = match body.is_empty() {
            true => serde_json::Value::Null,
            false => serde_json::from_slice(&body)
                .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&body).into_owned())),
        };
        let captured = CapturedRequest { method: parts.method.to_string(), url: parts.uri.to_string(), headers, body };
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(captured);
        Err(HttpError::HttpRequestDenied)
    }
}
