//! Turns a RingCentral HTTP response into a tool result or a structured error.

use serde_json::Value;

use crate::http::Response;

/// An error answered by RingCentral, with what it said about itself.
pub struct ApiFailure {
    pub status: u16,
    pub error_code: Option<String>,
    pub message: String,
    pub parameter_name: Option<String>,
    pub request_id: Option<String>,
}

pub fn interpret(response: Response) -> Result<String, ApiFailure> {
    let request_id = response.header("rcrequestid").map(str::to_string);
    if !(200..300).contains(&response.status) {
        return Err(failure(&response, request_id));
    }
    if response.body.iter().all(u8::is_ascii_whitespace) {
        // 204 No Content (deletes) and empty 200s: say plainly that it worked.
        return Ok(serde_json::json!({ "success": true, "status": response.status }).to_string());
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(&response.body) {
        // Pass the JSON text through untouched: 64-bit IDs stay exact.
        Ok(_) => Ok(String::from_utf8_lossy(&response.body).into_owned()),
        Err(_) => Ok(serde_json::json!({
            "status": response.status,
            "contentType": response.header("content-type"),
            "body": String::from_utf8_lossy(&response.body),
        })
        .to_string()),
    }
}

/// RingCentral errors look like `{"errorCode","message","errors":[{..,"parameterName"}]}`,
/// but gateways and proxies answer with HTML or plain text too.
fn failure(response: &Response, request_id: Option<String>) -> ApiFailure {
    let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let first_error = parsed.as_ref().and_then(|v| v.get("errors")).and_then(|e| e.get(0));
    let error_code = text(parsed.as_ref().and_then(|v| v.get("errorCode")))
        .or_else(|| text(first_error.and_then(|e| e.get("errorCode"))))
        .or_else(|| text(parsed.as_ref().and_then(|v| v.get("error"))));
    let message = text(parsed.as_ref().and_then(|v| v.get("message")))
        .or_else(|| text(first_error.and_then(|e| e.get("message"))))
        .or_else(|| text(parsed.as_ref().and_then(|v| v.get("error_description"))))
        .unwrap_or_else(|| {
            let body = String::from_utf8_lossy(&response.body);
            let body = body.trim();
            if body.is_empty() {
                format!("HTTP {} with an empty body", response.status)
            } else {
                let snippet: String = body.chars().take(200).collect();
                format!("HTTP {}: {snippet}", response.status)
            }
        });
    ApiFailure {
        status: response.status,
        error_code,
        message,
        parameter_name: text(first_error.and_then(|e| e.get("parameterName"))),
        request_id,
    }
}
