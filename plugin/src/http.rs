//! A small synchronous client over `wasi:http/outgoing-handler`: the plugin's
//! only way out. The host's gate decides whether a request may leave.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{ErrorCode, Fields, Method as WasiMethod, OutgoingBody, OutgoingRequest, Scheme};

use ringcentral_core::response::Response;
use ringcentral_core::tools::Method;

/// Responses larger than this are refused: no RingCentral answer a tool reads
/// comes near it, and the plugin's memory is limited.
const MAX_RESPONSE_BYTES: usize = 8 << 20;
const CHUNK: u64 = 64 << 10;

pub enum HttpError {
    /// The host's gate refused the request.
    Denied(String),
    Transport(String),
}

/// The scheme and authority of the account's server, from the call context.
pub struct Origin {
    pub https: bool,
    pub authority: String,
}

impl Origin {
    pub fn parse(origin: &str) -> Result<Origin, String> {
        let (https, rest) = if let Some(rest) = origin.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = origin.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!("server origin '{origin}' is not an http(s) origin"));
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(format!("server origin '{origin}' must be scheme://host[:port]"));
        }
        Ok(Origin { https, authority: authority.to_string() })
    }
}

/// `body` is its content type and bytes.
pub fn send(
    method: Method,
    origin: &Origin,
    path_and_query: &str,
    body: Option<(&str, &[u8])>,
) -> Result<Response, HttpError> {
    let mut header_list = vec![("accept".to_string(), b"application/json".to_vec())];
    if let Some((content_type, _)) = body {
        header_list.push(("content-type".to_string(), content_type.as_bytes().to_vec()));
    }
    let headers =
        Fields::from_list(&header_list).map_err(|e| HttpError::Transport(format!("bad request header: {e:?}")))?;
    let request = OutgoingRequest::new(headers);
    let fail = |what: &str| HttpError::Transport(format!("could not set the request {what}"));
    request.set_method(&wasi_method(method)).map_err(|_| fail("method"))?;
    request.set_scheme(Some(if origin.https { &Scheme::Https } else { &Scheme::Http })).map_err(|_| fail("scheme"))?;
    request.set_authority(Some(&origin.authority)).map_err(|_| fail("authority"))?;
    request.set_path_with_query(Some(path_and_query)).map_err(|_| fail("path"))?;

    // Finish the body before handing the request over (see DESIGN: a body still
    // open when `handle` runs can be cut by the host).
    let outgoing_body = request.body().map_err(|_| fail("body"))?;
    if let Some((_, bytes)) = body {
        let stream = outgoing_body.write().map_err(|_| fail("body stream"))?;
        for chunk in bytes.chunks(4096) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| HttpError::Transport(format!("writing the request body failed: {e:?}")))?;
        }
        drop(stream);
    }
    OutgoingBody::finish(outgoing_body, None).map_err(|e| transport_or_denied(&e))?;

    // No request options: the host applies its own timeouts (10 s connect, 30 s
    // first byte and between bytes) whatever a plugin asks, and each option is
    // a host call more.
    let pending = outgoing_handler::handle(request, None).map_err(|e| transport_or_denied(&e))?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(e))) => return Err(transport_or_denied(&e)),
        Some(Err(())) | None => return Err(HttpError::Transport("the response was lost".into())),
    };

    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
        .collect();
    let incoming = response.consume().map_err(|_| HttpError::Transport("the response body was unavailable".into()))?;
    let stream = incoming.stream().map_err(|_| HttpError::Transport("the response body was unavailable".into()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(CHUNK) {
            Ok(chunk) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_RESPONSE_BYTES {
                    return Err(HttpError::Transport(format!(
                        "the response is larger than {MAX_RESPONSE_BYTES} bytes"
                    )));
                }
            }
            Err(wasip2::io::streams::StreamError::Closed) => break,
            Err(e) => return Err(HttpError::Transport(format!("reading the response failed: {e:?}"))),
        }
    }
    Ok(Response { status, headers, body })
}

fn wasi_method(method: Method) -> WasiMethod {
    match method {
        Method::Get => WasiMethod::Get,
        Method::Post => WasiMethod::Post,
        Method::Put => WasiMethod::Put,
        Method::Patch => WasiMethod::Patch,
        Method::Delete => WasiMethod::Delete,
    }
}

fn transport_or_denied(error: &ErrorCode) -> HttpError {
    match error {
        ErrorCode::HttpRequestDenied => HttpError::Denied("the host refused this request (HTTP-request-denied)".into()),
        other => HttpError::Transport(describe(other)),
    }
}

/// The WASI error in words, named as WASI names it. Written out rather than
/// `{:?}`: the derived `Debug` of `ErrorCode` and its payloads costs the
/// plugin about 5 KB (its size budget, BENCHMARKS.md).
fn describe(error: &ErrorCode) -> String {
    let (code, what) = match error {
        ErrorCode::DnsTimeout => ("DNS-timeout", "the server's name was not resolved in time"),
        ErrorCode::DnsError(_) => ("DNS-error", "the server's name could not be resolved"),
        ErrorCode::DestinationNotFound => ("destination-not-found", "no such server"),
        ErrorCode::DestinationUnavailable => ("destination-unavailable", "the server could not be reached"),
        ErrorCode::ConnectionRefused => ("connection-refused", "the server refused the connection"),
        ErrorCode::ConnectionTerminated => ("connection-terminated", "the connection closed before the answer ended"),
        ErrorCode::ConnectionTimeout => ("connection-timeout", "connecting took too long"),
        ErrorCode::ConnectionReadTimeout => ("connection-read-timeout", "the server stopped sending"),
        ErrorCode::ConnectionWriteTimeout => ("connection-write-timeout", "the request could not be sent in time"),
        ErrorCode::TlsProtocolError | ErrorCode::TlsCertificateError | ErrorCode::TlsAlertReceived(_) => {
            ("TLS-error", "the TLS handshake failed")
        }
        ErrorCode::HttpRequestBodySize(_) => ("HTTP-request-body-size", "the request body is too large"),
        ErrorCode::HttpResponseBodySize(_) => ("HTTP-response-body-size", "the response body is too large"),
        ErrorCode::HttpResponseIncomplete => ("HTTP-response-incomplete", "the answer was cut short"),
        ErrorCode::HttpResponseTimeout => ("HTTP-response-timeout", "the server did not answer in time"),
        ErrorCode::HttpProtocolError => ("HTTP-protocol-error", "the server broke the HTTP protocol"),
        ErrorCode::InternalError(Some(message)) => return format!("{message} (internal-error)"),
        _ => ("other", "the request failed"),
    };
    format!("{what} ({code})")
}
