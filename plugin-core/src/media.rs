//! Media the tools fetch (`get_message_content`, `get_call_recording`): where it is served, and
//! the result that carries its bytes to the host, which alone writes files (README, "Media and
//! files").

use crate::response::{ApiFailure, Response, failure};

/// The origin media is fetched from. RingCentral serves it from its media entry point
/// (`media.ringcentral.com`, the one media origin the host's gate admits) for its production
/// API; any other server (the simulator, a sandbox) is asked itself.
pub fn origin(server_origin: &str) -> &str {
    match server_origin.trim_end_matches('/') {
        "https://platform.ringcentral.com" => "https://media.ringcentral.com",
        _ => server_origin,
    }
}

/// `{contentType, size, contentBase64}` of a successful answer.
pub fn result(response: &Response) -> Result<String, ApiFailure> {
    if !(200..300).contains(&response.status) {
        return Err(failure(response));
    }
    Ok(serde_json::json!({
        "contentType": response.header("content-type").unwrap_or("application/octet-stream"),
        "size": response.body.len(),
        "contentBase64": crate::base64::encode(&response.body),
    })
    .to_string())
}
