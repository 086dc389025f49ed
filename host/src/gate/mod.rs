//! The HTTP gate: the one place that decides whether a plugin's request may
//! leave the host, and the only place credentials are attached to it.
//!
//! Decisions are made on the request URI's scheme, host and port (never on a
//! header). The plugin can neither set nor read `authorization`, `cookie` or
//! the hop-by-hop headers; the bearer token is injected here, after the gate
//! said yes, so it never crosses into the guest.
//!
//! Once admitted, a request is buffered (within its cap) so the host can send
//! it again: once with a renewed token after a 401 whose code the profile
//! names a token rejection (the server refused it, so nothing happened), and, for idempotent methods
//! only, after a `429`/`503` (honouring `Retry-After` within a time budget) or
//! a connection dropped before any answer. POST and PATCH are never retried on
//! those: a second `POST .../sms` could send a second text.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use http::uri::Uri;
use http::{Method, StatusCode};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::{
    DEFAULT_FORBIDDEN_HEADERS, Error as HttpError, ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks,
};

use crate::allowlist::OriginPolicy;
use crate::connections::Connections;
use crate::credentials::Bearer;
use crate::profile::IntegrationProfile;

/// Headers that make proxies and frameworks rewrite a request's path, method
/// or host after the gate judged it.
const REWRITING_HEADERS: &[&str] = &[
    "x-original-url",
    "x-rewrite-url",
    "x-override-url",
    "x-original-uri",
    "x-original-method",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
    "x-http-destinationurl",
    "x-host",
    "x-original-host",
];

/// Headers the plugin may neither set on requests nor read on responses.
pub fn is_forbidden_header(name: &HeaderName) -> bool {
    DEFAULT_FORBIDDEN_HEADERS.contains(name)
        || matches!(name.as_str(), "authorization" | "cookie" | "set-cookie" | "forwarded")
        || REWRITING_HEADERS.contains(&name.as_str())
        || name.as_str().starts_with("proxy-")
        || name.as_str().starts_with("x-forwarded-")
}

/// The methods RingCentral's REST API uses (its OpenAPI description has no
/// other); TRACE, CONNECT, HEAD, OPTIONS and extension methods are refused.
const ALLOWED_METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

fn check_method(method: &Method) -> Result<(), String> {
    if ALLOWED_METHODS.contains(method) {
        return Ok(());
    }
    let allowed: Vec<&str> = ALLOWED_METHODS.iter().map(Method::as_str).collect();
    Err(format!("the method {method} is not allowed (only {})", allowed.join(", ")))
}

/// The largest write into a request body's stream; two may wait in its queue.
pub const OUTGOING_BODY_CHUNK_BYTES: usize = 64 << 10;

/// Limits on what one tool call may do over HTTP.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub between_bytes_timeout: Duration,
    pub max_request_body: u64,
    pub max_response_body: u64,
    /// Requests the plugin may make in one call; the host's own retries are extra.
    pub max_requests: u32,
    /// Automatic retries of one idempotent request (429, 503, a dropped connection).
    pub max_retries: u32,
    /// The longest a request may spend waiting between retries, in total.
    pub retry_budget: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(30),
            between_bytes_timeout: Duration::from_secs(30),
            max_request_body: 2 << 20,
            max_response_body: 16 << 20,
            max_requests: 20,
            max_retries: 2,
            retry_budget: Duration::from_secs(10),
        }
    }
}

/// Why the gate refused or gave up, for the host's error message: the plugin
/// only sees an error code.
#[derive(Clone, Default)]
pub struct Notes(Arc<Mutex<Vec<String>>>);

impl Notes {
    fn push(&self, note: String) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(note);
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The gate for one tool call (one wasmtime Store).
pub struct Gate {
    policy: Arc<OriginPolicy>,
    bearer: Option<Arc<Bearer>>,
    limits: HttpLimits,
    connections: Connections,
    requests_sent: u32,
    notes: Notes,
}

impl Gate {
    pub fn new(
        policy: Arc<OriginPolicy>,
        bearer: Option<Arc<Bearer>>,
        limits: HttpLimits,
        connections: Connections,
    ) -> Gate {
        Gate { policy, bearer, limits, connections, requests_sent: 0, notes: Notes::default() }
    }

    pub fn notes(&self) -> &Notes {
        &self.notes
    }

    fn admit(&mut self, method: &Method, uri: &Uri) -> Result<(), String> {
        check_method(method)?;
        self.policy.check(uri)?;
        if self.requests_sent >= self.limits.max_requests {
            return Err(format!("more than {} requests in one tool call", self.limits.max_requests));
        }
        self.requests_sent += 1;
        Ok(())
    }

    fn clamp(&self, options: Option<RequestOptions>) -> RequestOptions {
        let asked = options.unwrap_or_default();
        let clamp = |asked: Option<Duration>, max: Duration| Some(asked.map_or(max, |d| d.min(max)));
        RequestOptions {
            connect_timeout: clamp(asked.connect_timeout, self.limits.connect_timeout),
            first_byte_timeout: clamp(asked.first_byte_timeout, self.limits.first_byte_timeout),
            between_bytes_timeout: clamp(asked.between_bytes_timeout, self.limits.between_bytes_timeout),
        }
    }
}

type IoFuture = Box<dyn Future<Output = Result<(), HttpError>> + Send>;
type SendFuture = Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), HttpError>> + Send>;

impl WasiHttpHooks for Gate {
    fn is_forbidden_header(&mut self, name: &HeaderName) -> bool {
        is_forbidden_header(name)
    }

    fn forbidden_header_filter(&mut self) -> ForbiddenHeaderFilter {
        Arc::new(is_forbidden_header)
    }

    /// One chunk in flight and one queued per request body (wasmtime's default
    /// is 1 MiB each), so a body the plugin never sends holds little.
    fn p2_outgoing_body_buffer_chunks(&mut self) -> usize {
        1
    }

    fn p2_outgoing_body_chunk_size(&mut self) -> usize {
        OUTGOING_BODY_CHUNK_BYTES
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> SendFuture {
        _ = fut;
        if let Err(reason) = self.admit(request.method(), request.uri()) {
            crate::log::info(format!(
                "denied a plugin request to {} {}: {reason}",
                request.method(),
                redact_query(request.uri())
            ));
            self.notes.push(reason);
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        let exchange = Exchange {
            profile: self.policy.profile(),
            options: self.clamp(options),
            bearer: self.bearer.clone(),
            limits: self.limits.clone(),
            notes: self.notes.clone(),
            connections: self.connections.clone(),
        };
        Box::new(exchange.run(request))
    }
}

/// One admitted request, from the plugin's body to the response it gets back:
/// credential injection, at most one re-authentication, bounded retries.
struct Exchange {
    /// Which 401s are token rejections, and what a 429 without `Retry-After` means.
    profile: Option<&'static IntegrationProfile>,
    options: RequestOptions,
    bearer: Option<Arc<Bearer>>,
    limits: HttpLimits,
    notes: Notes,
    connections: Connections,
}

impl Exchange {
    async fn run(self, request: http::Request<WasiBody>) -> Result<(http::Response<WasiBody>, IoFuture), HttpError> {
        let (parts, body) = request.into_parts();
        let target = format!("{} {}", parts.method, redact_query(&parts.uri));
        // Buffered (within the cap) so that a retry can send it again.
        let capped = CappedBody::new(body, self.limits.max_request_body, false, self.notes.clone());
        let body = capped.collect().await?.to_bytes();
        let mut headers = parts.headers;
        strip_forbidden(&mut headers, None);
        let retry_allowed = is_idempotent(&parts.method);
        let mut token = self.bearer.as_ref().map(|b| b.token());
        let mut retries = 0;
        let mut waited = Duration::ZERO;
        loop {
            let mut request = http::Request::new(full(body.clone()));
            *request.method_mut() = parts.method.clone();
            *request.uri_mut() = parts.uri.clone();
            *request.headers_mut() = headers.clone();
            if let Some(token) = &token
                && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}"))
            {
                value.set_sensitive(true);
                request.headers_mut().insert(AUTHORIZATION, value);
            }
            // The pool drives its connections itself: there is no I/O future to hand back.
            let (response, io) = match self.connections.send(request, self.options).await {
                Ok(response) => (response, no_io()),
                Err(error) => {
                    if retry_allowed && is_dropped_connection(&error) && retries < self.limits.max_retries {
                        let pause = Duration::from_millis(250 << retries);
                        if waited + pause <= self.limits.retry_budget {
                            crate::log::info(format!("{target}: {error}; retrying in {} ms", pause.as_millis()));
                            retries += 1;
                            waited += pause;
                            tokio::time::sleep(pause).await;
                            continue;
                        }
                    }
                    if !retry_allowed && is_dropped_connection(&error) {
                        self.notes.push(format!(
                            "the connection failed ({error}); {} requests are not retried automatically, \
                             so check whether it took effect before trying again",
                            parts.method
                        ));
                    } else if retries > 0 {
                        self.notes.push(format!("the connection failed ({error}) after {retries} retries"));
                    }
                    return Err(error);
                }
            };
            let status = response.status();

            if status == StatusCode::UNAUTHORIZED
                && let Some(bearer) = self.bearer.as_ref().filter(|b| b.can_renew())
            {
                let (head, bytes) = read_whole(response, io, &self.limits, &self.notes).await?;
                if !is_token_rejection(&bytes, self.profile) {
                    return Ok(self.finish(http::Response::from_parts(head, full(bytes)), no_io(), &token));
                }
                let rejected = token.clone().unwrap_or_default();
                match bearer.renew(&rejected).await {
                    Ok(renewed) => {
                        crate::log::info(format!("{target}: the access token was rejected; renewed it, sending again"));
                        token = Some(renewed);
                        continue;
                    }
                    Err(why) => {
                        crate::log::info(format!(
                            "{target}: the access token was rejected and could not be renewed: {why}"
                        ));
                        self.notes.push(format!("the access token was rejected and could not be renewed: {why}"));
                        return Ok(self.finish(http::Response::from_parts(head, full(bytes)), no_io(), &token));
                    }
                }
            }

            if status == StatusCode::UNAUTHORIZED && self.bearer.as_ref().is_some_and(|b| b.was_renewed()) {
                self.notes.push("the server refused the renewed access token too".into());
            }

            if matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
                let pause = retry_pause(status, response.headers(), retries);
                let within_budget = pause.is_some_and(|p| waited + p <= self.limits.retry_budget);
                if retry_allowed && retries < self.limits.max_retries && within_budget {
                    let pause = pause.unwrap_or_default();
                    crate::log::info(format!(
                        "{target}: HTTP {}; retrying in {} ms",
                        status.as_u16(),
                        pause.as_millis()
                    ));
                    drop((response, io));
                    retries += 1;
                    waited += pause;
                    tokio::time::sleep(pause).await;
                    continue;
                }
                let why = match pause {
                    _ if !retry_allowed => format!("{} requests are never retried automatically", parts.method),
                    _ if retries >= self.limits.max_retries => format!("gave up after {retries} retries"),
                    Some(p) => format!(
                        "the server asked to wait {} s, beyond the {} s retry budget",
                        p.as_secs(),
                        self.limits.retry_budget.as_secs()
                    ),
                    None => match self.profile {
                        Some(profile) => format!("the server gave no Retry-After; {}", profile.rate_limit_hint),
                        None => "the server gave no Retry-After".into(),
                    },
                };
                self.notes.push(format!("HTTP {} (rate limited or unavailable): {why}", status.as_u16()));
            }
            return Ok(self.finish(response, io, &token));
        }
    }

    /// The response as the plugin gets it: no forbidden header, no header that
    /// carries the token (whatever its name), and a capped body in which the
    /// token, should a server or proxy echo the request, is masked.
    fn finish(
        &self,
        mut response: http::Response<WasiBody>,
        io: IoFuture,
        token: &Option<Arc<str>>,
    ) -> (http::Response<WasiBody>, IoFuture) {
        strip_forbidden(response.headers_mut(), token.as_deref());
        let limit = self.limits.max_response_body;
        let notes = self.notes.clone();
        let token = token.as_deref().filter(|t| !t.is_empty()).map(|t| Bytes::copy_from_slice(t.as_bytes()));
        let response = response.map(|body| {
            let capped = CappedBody::new(body, limit, true, notes).boxed_unsync();
            match token {
                Some(token) => TokenScrubbedBody::new(capped, token).boxed_unsync(),
                None => capped,
            }
        });
        (response, io)
    }
}

/// Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2).
/// POST is not, and neither is PATCH (RFC 5789): both are sent exactly once.
fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE)
}

/// The connection failed before any response: nothing was answered.
fn is_dropped_connection(error: &HttpError) -> bool {
    match error {
        HttpError::Hyper(e) => e.is_incomplete_message() || e.is_closed() || e.is_canceled(),
        HttpError::Connect(_) | HttpError::ConnectionRefused | HttpError::ConnectionTerminated => true,
        _ => false,
    }
}

/// How long to wait before retrying a 429/503: `Retry-After` (seconds or an
/// HTTP date) if given; otherwise exponential backoff for 503, and for 429
/// nothing (RingCentral asks for 30 s or more, beyond any budget here).
fn retry_pause(status: StatusCode, headers: &HeaderMap, retries: u32) -> Option<Duration> {
    let retry_after = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(value) = retry_after {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default());
        }
    }
    (status == StatusCode::SERVICE_UNAVAILABLE).then(|| Duration::from_secs(1 << retries.min(4)))
}

/// Whether a 401's body names one of the profile's token-rejection codes, at
/// the top (`errorCode`) or in `errors[].errorCode`.
fn is_token_rejection(body: &[u8], profile: Option<&IntegrationProfile>) -> bool {
    let Some(profile) = profile else { return false };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else { return false };
    let top = value.get("errorCode").and_then(|c| c.as_str());
    let nested = value.get("errors").and_then(|e| e.as_array()).into_iter().flatten();
    let codes: Vec<&str> = top.into_iter().chain(nested.filter_map(|e| e.get("errorCode")?.as_str())).collect();
    codes.iter().any(|c| profile.token_rejection_codes.contains(c))
}

/// Reads a whole (capped) response body, driving the connection meanwhile.
async fn read_whole(
    response: http::Response<WasiBody>,
    io: IoFuture,
    limits: &HttpLimits,
    notes: &Notes,
) -> Result<(http::response::Parts, Bytes), HttpError> {
    let connection = tokio::spawn(Box::into_pin(io));
    let (head, body) = response.into_parts();
    let collected = CappedBody::new(body, limits.max_response_body, true, notes.clone()).collect().await;
    connection.abort();
    Ok((head, collected?.to_bytes()))
}

fn strip_forbidden(headers: &mut HeaderMap, token: Option<&str>) {
    let names: Vec<HeaderName> = headers
        .iter()
        .filter(|(name, value)| {
            is_forbidden_header(name)
                || token.is_some_and(|t| !t.is_empty() && String::from_utf8_lossy(value.as_bytes()).contains(t))
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        headers.remove(&name);
    }
}

fn full(bytes: Bytes) -> WasiBody {
    Full::new(bytes).map_err(|never| match never {}).boxed_unsync()
}

fn no_io() -> IoFuture {
    Box::new(async { Ok(()) })
}

/// For logs: the path without its query, which may carry personal data.
fn redact_query(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("?");
    format!("{scheme}://{authority}{}", uri.path())
}

/// A body that fails once more than `limit` bytes went through it, and says
/// so in the gate's notes before the error travels on.
struct CappedBody {
    inner: WasiBody,
    limit: u64,
    seen: u64,
    is_response: bool,
    notes: Notes,
}

impl CappedBody {
    fn new(inner: WasiBody, limit: u64, is_response: bool, notes: Notes) -> CappedBody {
        CappedBody { inner, limit, seen: 0, is_response, notes }
    }
}

impl Body for CappedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.seen += data.len() as u64;
            if this.seen > this.limit {
                let what = if this.is_response { "response" } else { "request" };
                this.notes.push(format!("the {what} body is larger than the {} KiB limit", this.limit >> 10));
                let error = if this.is_response {
                    HttpError::HttpResponseBodySize(Some(this.limit))
                } else {
                    HttpError::HttpRequestBodySize(Some(this.limit))
                };
                return Poll::Ready(Some(Err(error)));
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A body with every occurrence of the bearer token replaced by a mask of the
/// same length (so a `Content-Length` stays true). The token may straddle
/// chunks, so the last `token.len() - 1` bytes of each chunk wait for the next.
struct TokenScrubbedBody {
    inner: WasiBody,
    token: Bytes,
    mask: Bytes,
    /// Bytes that may be the start of a token, not yet passed on.
    held: Vec<u8>,
    /// Trailers that arrived while bytes were held: they follow those bytes.
    trailers: Option<Frame<Bytes>>,
}

const TOKEN_MASK: &[u8] = b"[token removed by kosmo]";

impl TokenScrubbedBody {
    fn new(inner: WasiBody, token: Bytes) -> TokenScrubbedBody {
        let mut mask = if token.len() >= TOKEN_MASK.len() { TOKEN_MASK.to_vec() } else { Vec::new() };
        mask.resize(token.len(), b'*');
        TokenScrubbedBody { inner, token, mask: mask.into(), held: Vec::new(), trailers: None }
    }

    /// The scrubbed bytes of `held` + `chunk` that can no longer be part of a token.
    fn scrub(&mut self, chunk: &[u8]) -> Bytes {
        let mut text = std::mem::take(&mut self.held);
        text.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(text.len());
        let mut start = 0;
        for found in memchr::memmem::find_iter(&text, &self.token[..]) {
            out.extend_from_slice(&text[start..found]);
            out.extend_from_slice(&self.mask);
            start = found + self.token.len();
        }
        let keep = (self.token.len() - 1).min(text.len() - start);
        out.extend_from_slice(&text[start..text.len() - keep]);
        self.held = text[text.len() - keep..].to_vec();
        out.into()
    }
}

impl Body for TokenScrubbedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        if let Some(trailers) = this.trailers.take() {
            return Poll::Ready(Some(Ok(trailers)));
        }
        loop {
            let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => frame,
                // The end, or trailers: what was held is no token's start any more.
                Poll::Ready(None) if !this.held.is_empty() => {
                    return Poll::Ready(Some(Ok(Frame::data(std::mem::take(&mut this.held).into()))));
                }
                other => return other,
            };
            match frame.into_data() {
                Ok(data) => {
                    let clean = this.scrub(&data);
                    if !clean.is_empty() {
                        return Poll::Ready(Some(Ok(Frame::data(clean))));
                    }
                }
                Err(trailers) if this.held.is_empty() => return Poll::Ready(Some(Ok(trailers))),
                Err(trailers) => {
                    this.trailers = Some(trailers);
                    return Poll::Ready(Some(Ok(Frame::data(std::mem::take(&mut this.held).into()))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.held.is_empty() && self.trailers.is_none() && self.inner.is_end_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allowlist::Origin;

    fn test_connections() -> Connections {
        Connections::new(Duration::from_secs(1))
    }

    fn sim_policy() -> OriginPolicy {
        OriginPolicy::for_account(
            &crate::profile::RINGCENTRAL,
            &Origin::parse("https://platform.ringcentral.com").unwrap(),
        )
    }

    #[test]
    fn only_the_methods_ringcentral_uses_are_admitted() {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            assert!(check_method(&Method::from_bytes(method.as_bytes()).unwrap()).is_ok(), "{method}");
        }
        for method in ["TRACE", "CONNECT", "HEAD", "OPTIONS", "PROPFIND", "get"] {
            let refusal = check_method(&Method::from_bytes(method.as_bytes()).unwrap()).unwrap_err();
            assert_eq!(refusal, format!("the method {method} is not allowed (only GET, POST, PUT, PATCH, DELETE)"));
        }
    }

    /// A body that yields the given chunks.
    struct Chunks(std::collections::VecDeque<Bytes>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = HttpError;

        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
            Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
        }
    }

    fn scrubbed(chunks: &[&[u8]], token: &str) -> Vec<u8> {
        let inner = Chunks(chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect()).boxed_unsync();
        let body = TokenScrubbedBody::new(inner, Bytes::copy_from_slice(token.as_bytes()));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(body.collect()).unwrap().to_bytes().to_vec()
    }

    #[test]
    fn the_token_is_masked_in_bodies_wherever_chunks_split_it() {
        let token = "SIMAT-0123456789abcdef0123456789";
        let text =
            format!("{{\"echo\":\"Bearer {token}\",\"again\":\"{token}{token}\",\"tail\":\"{}\"}}", &token[..10]);
        let expected = text.replace(token, "[token removed by kosmo]********");
        assert_eq!(expected.len(), text.len(), "the mask keeps the length");
        let bytes = text.as_bytes();
        assert_eq!(scrubbed(&[bytes], token), expected.as_bytes());
        for first in 0..=bytes.len() {
            assert_eq!(scrubbed(&[&bytes[..first], &bytes[first..]], token), expected.as_bytes(), "split at {first}");
            for second in (first..=bytes.len()).step_by(7) {
                let parts: [&[u8]; 3] = [&bytes[..first], &bytes[first..second], &bytes[second..]];
                assert_eq!(scrubbed(&parts, token), expected.as_bytes(), "split at {first} and {second}");
            }
        }
        // One byte at a time, and a token shorter than the mask.
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(scrubbed(&singles, token), expected.as_bytes());
        assert_eq!(scrubbed(&[b"a sim-token b sim-tok", b"en c"], "sim-token"), b"a ********* b ********* c");
    }

    #[test]
    fn only_idempotent_methods_are_retried() {
        let cases = [
            (Method::GET, true),
            (Method::HEAD, true),
            (Method::OPTIONS, true),
            (Method::PUT, true),
            (Method::DELETE, true),
            (Method::POST, false),
            (Method::PATCH, false),
        ];
        for (method, retried) in cases {
            assert_eq!(is_idempotent(&method), retried, "{method}");
        }
    }

    #[test]
    fn retry_pauses() {
        let headers = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            headers
        };
        let none = HeaderMap::new();
        let cases: &[(StatusCode, &HeaderMap, u32, Option<Duration>)] = &[
            (StatusCode::TOO_MANY_REQUESTS, &headers("3"), 0, Some(Duration::from_secs(3))),
            (StatusCode::SERVICE_UNAVAILABLE, &headers(" 2 "), 0, Some(Duration::from_secs(2))),
            // No Retry-After: RingCentral asks for 30 s or more after a 429...
            (StatusCode::TOO_MANY_REQUESTS, &none, 0, None),
            // ...and a 503 backs off exponentially.
            (StatusCode::SERVICE_UNAVAILABLE, &none, 0, Some(Duration::from_secs(1))),
            (StatusCode::SERVICE_UNAVAILABLE, &none, 2, Some(Duration::from_secs(4))),
            // A date in the past means now.
            (StatusCode::TOO_MANY_REQUESTS, &headers("Wed, 21 Oct 2015 07:28:00 GMT"), 0, Some(Duration::ZERO)),
        ];
        for (status, headers, retries, expected) in cases {
            assert_eq!(retry_pause(*status, headers, *retries), *expected, "{status} {headers:?}");
        }
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(5));
        let pause = retry_pause(StatusCode::TOO_MANY_REQUESTS, &headers(&later), 0).unwrap();
        assert!(pause > Duration::from_secs(3) && pause <= Duration::from_secs(5), "{pause:?}");
    }

    #[test]
    fn token_rejections_are_recognised() {
        let cases: &[(&str, bool)] = &[
            (
                r#"{"errorCode":"TokenInvalid","message":"Access token expired","errors":[{"errorCode":"OAU-128"}]}"#,
                true,
            ),
            (
                r#"{"errorCode":"TokenInvalid","errors":[{"errorCode":"OAU-149","message":"OAuth token is invalid"}]}"#,
                true,
            ),
            (r#"{"errors":[{"errorCode":"OAU-128","message":"Access token expired"}]}"#, true),
            (r#"{"errorCode":"AGW-401","message":"Authorization header is not specified"}"#, false),
            (r#"{"errorCode":"CMN-405","message":"Login to extension required"}"#, false),
            ("<html>401</html>", false),
            ("", false),
        ];
        for (body, rejected) in cases {
            assert_eq!(is_token_rejection(body.as_bytes(), Some(&crate::profile::RINGCENTRAL)), *rejected, "{body}");
        }
    }

    #[test]
    fn timeouts_are_clamped() {
        let gate = Gate::new(Arc::new(OriginPolicy::deny_all()), None, HttpLimits::default(), test_connections());
        let asked = RequestOptions {
            connect_timeout: Some(Duration::from_secs(600)),
            first_byte_timeout: Some(Duration::from_secs(5)),
            between_bytes_timeout: None,
        };
        let clamped = gate.clamp(Some(asked));
        assert_eq!(clamped.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(clamped.first_byte_timeout, Some(Duration::from_secs(5)), "shorter asks are kept");
        assert_eq!(clamped.between_bytes_timeout, Some(Duration::from_secs(30)), "none means the cap, not 600 s");
        assert_eq!(gate.clamp(None).first_byte_timeout, Some(Duration::from_secs(30)));
    }

    #[test]
    fn responses_lose_forbidden_headers_and_anything_carrying_the_token() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer T0KEN"),
            ("set-cookie", "a=b"),
            ("x-echo", "Bearer T0KEN"),
            ("content-type", "application/json"),
            ("rcrequestid", "1"),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        strip_forbidden(&mut headers, Some("T0KEN"));
        let mut left: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
        left.sort();
        assert_eq!(left, ["content-type", "rcrequestid"]);
    }

    #[test]
    fn the_request_cap_counts_requests() {
        let policy = Arc::new(sim_policy());
        let limits = HttpLimits { max_requests: 2, ..HttpLimits::default() };
        let mut gate = Gate::new(policy, None, limits, test_connections());
        let uri: Uri = "https://platform.ringcentral.com/restapi/v1.0/account/~".parse().unwrap();
        assert!(gate.admit(&Method::GET, &uri).is_ok());
        assert!(gate.admit(&Method::GET, &uri).is_ok());
        assert_eq!(gate.admit(&Method::GET, &uri).unwrap_err(), "more than 2 requests in one tool call");
    }

    #[test]
    fn forbidden_headers() {
        for name in [
            "authorization",
            "Authorization",
            "host",
            "cookie",
            "proxy-authorization",
            "x-forwarded-for",
            "x-original-url",
            "X-Rewrite-URL",
            "x-http-method-override",
            "x-http-method",
            "x-method-override",
        ] {
            assert!(is_forbidden_header(&HeaderName::from_bytes(name.as_bytes()).unwrap()), "{name}");
        }
        for name in ["accept", "content-type", "rcrequestid"] {
            assert!(!is_forbidden_header(&HeaderName::from_bytes(name.as_bytes()).unwrap()), "{name}");
        }
    }
}
