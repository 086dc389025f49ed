//! Turns a RingCentral HTTP response into a tool result or a structured error.

use serde_json::Value;

/// An answer from the server, as the plugin's HTTP client read it.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An error answered by RingCentral, with what it said about itself.
#[derive(Debug, PartialEq)]
pub struct ApiFailure {
    pub status: u16,
    pub error_code: Option<String>,
    pub message: String,
    pub parameter_name: Option<String>,
    pub request_id: Option<String>,
}

pub fn interpret(response: &Response) -> Result<String, ApiFailure> {
    if !(200..300).contains(&response.status) {
        return Err(failure(response));
    }
    if response.body.iter().all(u8::is_ascii_whitespace) {
        // 204 No Content (deletes) and empty 200s: say plainly that it worked.
        return Ok(serde_json::json!({ "success": true, "status": response.status }).to_string());
    }
    // JSON is parsed from text only (`from_str`, never `from_slice`), so the plugin carries one
    // instance of serde_json's parser. Checking the lossy text accepts what `from_slice` would:
    // invalid UTF-8 can only hide inside strings, which the check does not decode.
    let text = String::from_utf8_lossy(&response.body);
    match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        // Pass the JSON text through untouched: 64-bit IDs stay exact.
        Ok(_) => Ok(text.into_owned()),
        Err(_) => Ok(serde_json::json!({
            "status": response.status,
            "contentType": response.header("content-type"),
            "body": text,
        })
        .to_string()),
    }
}

/// RingCentral errors look like `{"errorCode","message","errors":[{"errorCode","message","parameterName"}]}`.
/// The `errors` entry is the specific one (the top level may say `TokenInvalid` where it
/// says `OAU-149`), so it is read first. Gateways and proxies answer with HTML or plain
/// text too, and the OAuth endpoints with `error`/`error_description`.
pub(crate) fn failure(response: &Response) -> ApiFailure {
    // Not UTF-8 is not JSON (as with `from_slice`).
    let parsed: Option<Value> =
        std::str::from_utf8(&response.body).ok().and_then(|text| serde_json::from_str(text).ok());
    let field = |v: Option<&Value>, name: &str| v.and_then(|v| v.get(name)).and_then(Value::as_str).map(str::to_string);
    let top = parsed.as_ref().filter(|v| v.is_object());
    let first = top.and_then(|v| v.get("errors")).and_then(|e| e.get(0));
    let error_code = field(first, "errorCode").or_else(|| field(top, "errorCode")).or_else(|| field(top, "error"));
    let message = field(first, "message")
        .or_else(|| field(top, "message"))
        .or_else(|| field(top, "error_description"))
        .unwrap_or_else(|| {
            let body = String::from_utf8_lossy(&response.body);
            let body = body.trim();
            if body.is_empty() {
                format!("HTTP {} with an empty body", response.status)
            } else {
                let snippet: String = body.chars().take(200).collect();
                format!("HTTP {} (not a RingCentral error body): {snippet}", response.status)
            }
        });
    ApiFailure {
        status: response.status,
        error_code,
        message,
        parameter_name: field(first, "parameterName"),
        request_id: response.header("rcrequestid").map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("RCRequestId".into(), "req-1".into()), ("Content-Type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_ringcentral_error_keeps_its_code_parameter_and_request_id() {
        let body = r#"{"errorCode":"CMN-102","message":"Resource for parameter [messageId] is not found","errors":[{"errorCode":"CMN-102","message":"Resource for parameter [messageId] is not found","parameterName":"messageId"}]}"#;
        assert_eq!(
            interpret(&response(404, body)),
            Err(ApiFailure {
                status: 404,
                error_code: Some("CMN-102".into()),
                message: "Resource for parameter [messageId] is not found".into(),
                parameter_name: Some("messageId".into()),
                request_id: Some("req-1".into()),
            })
        );
    }

    #[test]
    fn the_specific_code_wins_over_the_gateways_summary() {
        let body = r#"{"errorCode":"TokenInvalid","message":"OAuth token is invalid","errors":[{"errorCode":"OAU-149","message":"OAuth token is invalid"}]}"#;
        let failure = interpret(&response(401, body)).unwrap_err();
        assert_eq!(failure.error_code.as_deref(), Some("OAU-149"));
        let legacy =
            interpret(&response(401, r#"{"errorCode":"AGW-401","message":"Authorization header is not specified"}"#))
                .unwrap_err();
        assert_eq!(legacy.error_code.as_deref(), Some("AGW-401"));
        assert_eq!(legacy.message, "Authorization header is not specified");
    }

    #[test]
    fn non_json_error_bodies_are_quoted_not_fatal() {
        let failure = interpret(&response(502, "<html>Bad Gateway</html>")).unwrap_err();
        assert_eq!(failure.status, 502);
        assert_eq!(failure.error_code, None);
        assert_eq!(failure.message, "HTTP 502 (not a RingCentral error body): <html>Bad Gateway</html>");
        assert_eq!(interpret(&response(503, "")).unwrap_err().message, "HTTP 503 with an empty body");
        let array = interpret(&response(400, "[1,2]")).unwrap_err();
        assert_eq!(array.message, "HTTP 400 (not a RingCentral error body): [1,2]");
    }

    #[test]
    fn empty_success_is_a_clear_success_value_and_json_passes_through() {
        let deleted: Value = serde_json::from_str(&interpret(&response(204, "")).unwrap()).unwrap();
        assert_eq!(deleted, serde_json::json!({"success": true, "status": 204}));
        let big = r#"{"id":9007199254740993}"#;
        assert_eq!(interpret(&response(200, big)).unwrap(), big);
        let text: Value = serde_json::from_str(&interpret(&response(200, "plain")).unwrap()).unwrap();
        assert_eq!(text["body"], "plain");
    }

    #[test]
    fn invalid_utf8_is_judged_as_serde_json_judges_bytes() {
        let with_bytes = |status: u16, body: &[u8]| Response { status, headers: Vec::new(), body: body.to_vec() };
        // Inside a string, a success still passes through (lossily).
        assert_eq!(interpret(&with_bytes(200, b"{\"a\":\"x\xff\"}")).unwrap(), "{\"a\":\"x\u{fffd}\"}");
        // Outside one, it is not JSON.
        let quoted: Value = serde_json::from_str(&interpret(&with_bytes(200, b"[1]\xff")).unwrap()).unwrap();
        assert_eq!(quoted["body"], "[1]\u{fffd}");
        // An error body that is not UTF-8 is not read as RingCentral's.
        let failure = interpret(&with_bytes(400, b"{\"message\":\"x\xff\"}")).unwrap_err();
        assert_eq!(failure.message, "HTTP 400 (not a RingCentral error body): {\"message\":\"x\u{fffd}\"}");
    }
}
