//! One admitted request, from the plugin's body to the response it gets back:
//! the bearer token attached, at most one renewal after a token rejection, and
//! bounded retries of idempotent requests after a 429/503 or a dropped
//! connection. Each attempt's outcome goes through [`decide`], a pure function
//! of the outcome and what was done so far; `run` only carries its answer out.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use http::uri::Uri;
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody};

use super::body::{CappedBody, TokenScrubbedBody, full};
use super::headers::strip_forbidden;
use super::limits::{HttpLimits, Notes};
use crate::connections::Connections;
use crate::credentials::Bearer;
use crate::pacing::{self, CallPacing};
use crate::profile::IntegrationProfile;

pub type IoFuture = Box<dyn Future<Output = Result<(), HttpError>> + Send>;

/// What one attempt came to, as far as the renewal and retry rules care.
#[derive(Debug)]
enum Outcome {
    /// The request got no response; `dropped` if the connection failed before any answer.
    Failed { error: String, dropped: bool },
    /// A 401 whose body names one of the profile's token-rejection codes.
    TokenRejected,
    /// Any other response; `pause` is what a 429/503 asks to wait ([`retry_pause`]).
    Answered { status: StatusCode, pause: Option<Duration> },
}

/// What the exchange has done so far.
#[derive(Debug, Clone)]
struct Attempts {
    method: Method,
    retries: u32,
    /// Time spent waiting between retries, against the retry budget.
    waited: Duration,
    /// The bearer can still be renewed in this call.
    can_renew: bool,
    /// The bearer was renewed in this call.
    renewed: bool,
}

/// What to do after an attempt.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Get a new token and send again.
    Renew,
    /// Wait this long and send again.
    RetryAfter(Duration),
    /// Hand the response (or the failure) to the plugin, with a note for the host's error if any.
    Finish(Option<String>),
}

/// The rules: a token rejection is renewed once, whatever the method (the
/// server refused it, so nothing happened); a 429/503 or a dropped connection
/// is retried for idempotent methods only, at most `max_retries` times and
/// within the retry budget. Anything else finishes, with a note saying why
/// the host did not try again where that matters.
fn decide(outcome: &Outcome, attempts: &Attempts, limits: &HttpLimits, profile: Option<&IntegrationProfile>) -> Next {
    let retry_allowed = is_idempotent(&attempts.method);
    let retries = attempts.retries;
    let within_budget = |pause: Duration| attempts.waited + pause <= limits.retry_budget;
    match outcome {
        Outcome::TokenRejected if attempts.can_renew => Next::Renew,
        Outcome::Failed { error, dropped } => {
            if retry_allowed && *dropped && retries < limits.max_retries {
                let pause = Duration::from_millis(250 << retries);
                if within_budget(pause) {
                    return Next::RetryAfter(pause);
                }
            }
            if !retry_allowed && *dropped {
                Next::Finish(Some(format!(
                    "the connection failed ({error}); {} requests are not retried automatically, \
                     so check whether it took effect before trying again",
                    attempts.method
                )))
            } else if retries > 0 {
                Next::Finish(Some(format!("the connection failed ({error}) after {retries} retries")))
            } else {
                Next::Finish(None)
            }
        }
        Outcome::Answered { status, pause }
            if matches!(*status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) =>
        {
            if retry_allowed
                && retries < limits.max_retries
                && let Some(pause) = pause.filter(|p| within_budget(*p))
            {
                return Next::RetryAfter(pause);
            }
            let why = match pause {
                _ if !retry_allowed => format!("{} requests are never retried automatically", attempts.method),
                _ if retries >= limits.max_retries => format!("gave up after {retries} retries"),
                Some(p) => format!(
                    "the server asked to wait {} s, beyond the {} s retry budget",
                    p.as_secs(),
                    limits.retry_budget.as_secs()
                ),
                None => match profile {
                    Some(profile) => format!("the server gave no Retry-After; {}", profile.rate_limit_hint),
                    None => "the server gave no Retry-After".into(),
                },
            };
            Next::Finish(Some(format!("HTTP {} (rate limited or unavailable): {why}", status.as_u16())))
        }
        Outcome::TokenRejected | Outcome::Answered { status: StatusCode::UNAUTHORIZED, .. } if attempts.renewed => {
            Next::Finish(Some("the server refused the renewed access token too".into()))
        }
        Outcome::TokenRejected | Outcome::Answered { .. } => Next::Finish(None),
    }
}

pub struct Exchange {
    /// Which 401s are token rejections, and what a 429 without `Retry-After` means.
    pub profile: Option<&'static IntegrationProfile>,
    pub options: RequestOptions,
    pub bearer: Option<Arc<Bearer>>,
    pub limits: HttpLimits,
    pub notes: Notes,
    pub connections: Connections,
    pub pacing: Option<CallPacing>,
}

impl Exchange {
    pub async fn run(
        self,
        request: http::Request<WasiBody>,
    ) -> Result<(http::Response<WasiBody>, IoFuture), HttpError> {
        let (parts, body) = request.into_parts();
        let target = format!("{} {}", parts.method, redact_query(&parts.uri));
        let route = pacing::route(parts.method.as_str(), parts.uri.path());
        // Buffered (within the cap) so that a retry can send it again.
        let capped = CappedBody::new(body, self.limits.max_request_body, false, self.notes.clone());
        let body = capped.collect().await?.to_bytes();
        let mut headers = parts.headers;
        strip_forbidden(&mut headers, None);
        let mut token = self.bearer.as_ref().map(|b| b.token());
        let mut attempts = Attempts {
            method: parts.method.clone(),
            retries: 0,
            waited: Duration::ZERO,
            can_renew: false,
            renewed: false,
        };
        loop {
            let mut request = http::Request::new(full(body.clone()));
            *request.method_mut() = parts.method.clone();
            *request.uri_mut() = parts.uri.clone();
            *request.headers_mut() = headers.clone();
            attach(&mut request, token.as_deref());
            let Some(ticket) = self.pace(&route, &target).await else { return Err(HttpError::HttpRequestDenied) };
            let sent = self.connections.send(request, self.options).await;
            if let (Some(pacing), Some(ticket)) = (&self.pacing, ticket) {
                let answer = sent.as_ref().ok().map(|r| pacing::answer_of(r.status().as_u16(), r.headers()));
                pacing.settle(&route, ticket, answer).await;
            }
            // Read when the answer is in: another request of the call may have renewed meanwhile.
            attempts.can_renew = self.bearer.as_ref().is_some_and(|b| b.can_renew());
            attempts.renewed = self.bearer.as_ref().is_some_and(|b| b.was_renewed());
            let (outcome, answer) = match sent {
                Ok(response) => self.classify(response, &attempts).await?,
                Err(error) => {
                    let outcome = Outcome::Failed { error: error.to_string(), dropped: is_dropped_connection(&error) };
                    (outcome, Err(error))
                }
            };
            match decide(&outcome, &attempts, &self.limits, self.profile) {
                Next::Renew => {
                    let Some(bearer) = &self.bearer else { return self.hand_over(answer, &token) };
                    match bearer.renew(token.as_deref().unwrap_or_default()).await {
                        Ok(renewed) => {
                            crate::log::info(format!(
                                "{target}: the access token was rejected; renewed it, sending again"
                            ));
                            token = Some(renewed);
                        }
                        Err(why) => {
                            crate::log::info(format!(
                                "{target}: the access token was rejected and could not be renewed: {why}"
                            ));
                            self.notes.push(format!("the access token was rejected and could not be renewed: {why}"));
                            return self.hand_over(answer, &token);
                        }
                    }
                }
                Next::RetryAfter(pause) => {
                    let what = match &outcome {
                        Outcome::Failed { error, .. } => error.clone(),
                        Outcome::Answered { status, .. } => format!("HTTP {}", status.as_u16()),
                        Outcome::TokenRejected => "HTTP 401".into(),
                    };
                    crate::log::info(format!("{target}: {what}; retrying in {} ms", pause.as_millis()));
                    drop(answer);
                    attempts.retries += 1;
                    attempts.waited += pause;
                    tokio::time::sleep(pause).await;
                }
                Next::Finish(note) => {
                    if let Some(note) = note {
                        self.notes.push(note);
                    }
                    return self.hand_over(answer, &token);
                }
            }
        }
    }

    /// Waits until the rate limits admit the attempt: `Some(ticket)` (none
    /// when not paced), or `None` when the wait would pass the call's
    /// deadline, with a note that says how long the limit requires.
    async fn pace(&self, route: &str, target: &str) -> Option<Option<u64>> {
        let Some(pacing) = &self.pacing else { return Some(None) };
        match pacing.admit(route).await {
            Ok(ticket) => Some(Some(ticket)),
            Err(why) => {
                crate::log::info(format!("{target}: not sent: {why}"));
                self.notes.push(why);
                None
            }
        }
    }

    /// The outcome of a response. A 401 that renewal could answer is read
    /// whole (within the cap) to see whether it is a token rejection, and
    /// handed on as the bytes read.
    async fn classify(
        &self,
        response: http::Response<WasiBody>,
        attempts: &Attempts,
    ) -> Result<(Outcome, Result<http::Response<WasiBody>, HttpError>), HttpError> {
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED && attempts.can_renew {
            let (head, bytes) = read_whole(response, &self.limits, &self.notes).await?;
            let outcome = if is_token_rejection(&bytes, self.profile) {
                Outcome::TokenRejected
            } else {
                Outcome::Answered { status, pause: None }
            };
            return Ok((outcome, Ok(http::Response::from_parts(head, full(bytes)))));
        }
        let pause = retry_pause(status, response.headers(), attempts.retries);
        Ok((Outcome::Answered { status, pause }, Ok(response)))
    }

    /// What the plugin gets: the finished response, or the failure as it came.
    fn hand_over(
        &self,
        answer: Result<http::Response<WasiBody>, HttpError>,
        token: &Option<Arc<str>>,
    ) -> Result<(http::Response<WasiBody>, IoFuture), HttpError> {
        // The pool drives its connections itself: there is no I/O future to hand back.
        Ok(self.finish(answer?, no_io(), token))
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

/// The bearer token, attached after the gate admitted the request and marked sensitive.
fn attach(request: &mut http::Request<WasiBody>, token: Option<&str>) {
    if let Some(token) = token
        && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}"))
    {
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
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

/// Reads a whole (capped) response body.
async fn read_whole(
    response: http::Response<WasiBody>,
    limits: &HttpLimits,
    notes: &Notes,
) -> Result<(http::response::Parts, Bytes), HttpError> {
    let (head, body) = response.into_parts();
    let collected = CappedBody::new(body, limits.max_response_body, true, notes.clone()).collect().await;
    Ok((head, collected?.to_bytes()))
}

fn no_io() -> IoFuture {
    Box::new(async { Ok(()) })
}

/// For logs: the path without its query, which may carry personal data.
pub fn redact_query(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("?");
    format!("{scheme}://{authority}{}", uri.path())
}

#[cfg(test)]
mod tests {
    use http::header::HeaderValue;

    use super::*;
    use crate::profile::RINGCENTRAL;

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

    fn attempts(method: Method, retries: u32, waited_ms: u64) -> Attempts {
        Attempts { method, retries, waited: Duration::from_millis(waited_ms), can_renew: false, renewed: false }
    }

    fn answered(status: u16, pause_s: Option<u64>) -> Outcome {
        Outcome::Answered { status: StatusCode::from_u16(status).unwrap(), pause: pause_s.map(Duration::from_secs) }
    }

    fn dropped() -> Outcome {
        Outcome::Failed { error: "connection closed".into(), dropped: true }
    }

    fn finish(note: &str) -> Next {
        Next::Finish(Some(note.into()))
    }

    #[test]
    fn the_state_machine() {
        let renewable = Attempts { can_renew: true, ..attempts(Method::POST, 0, 0) };
        let renewed = Attempts { renewed: true, ..attempts(Method::POST, 0, 0) };
        let limited = "HTTP 429 (rate limited or unavailable)";
        #[rustfmt::skip]
        let cases: Vec<(&str, Outcome, Attempts, Next)> = vec![
            ("a token rejection with a renewable bearer renews, even a POST", Outcome::TokenRejected, renewable.clone(), Next::Renew),
            ("a 401 after the renewal finishes with a note", answered(401, None), renewed.clone(), finish("the server refused the renewed access token too")),
            ("a 401 without renewal finishes quietly", answered(401, None), attempts(Method::GET, 0, 0), Next::Finish(None)),
            ("a 401 that is no token rejection finishes", answered(401, None), renewable, Next::Finish(None)),
            ("a 200 finishes", answered(200, None), attempts(Method::GET, 0, 0), Next::Finish(None)),
            ("a 429 within budget retries a GET", answered(429, Some(3)), attempts(Method::GET, 0, 0), Next::RetryAfter(Duration::from_secs(3))),
            ("a 503 retries a DELETE", answered(503, Some(1)), attempts(Method::DELETE, 1, 250), Next::RetryAfter(Duration::from_secs(1))),
            ("a POST is never retried", answered(429, Some(1)), attempts(Method::POST, 0, 0), finish(&format!("{limited}: POST requests are never retried automatically"))),
            ("nor a PATCH", answered(503, Some(1)), attempts(Method::PATCH, 0, 0), Next::Finish(Some("HTTP 503 (rate limited or unavailable): PATCH requests are never retried automatically".into()))),
            ("beyond the budget", answered(429, Some(30)), attempts(Method::GET, 0, 0), finish(&format!("{limited}: the server asked to wait 30 s, beyond the 10 s retry budget"))),
            ("the budget spent", answered(429, Some(3)), attempts(Method::GET, 1, 8_000), finish(&format!("{limited}: the server asked to wait 3 s, beyond the 10 s retry budget"))),
            ("no Retry-After on a 429", answered(429, None), attempts(Method::GET, 0, 0), finish(&format!("{limited}: the server gave no Retry-After; RingCentral asks to wait at least 30 s"))),
            ("the last retry spent", answered(503, Some(1)), attempts(Method::GET, 2, 0), Next::Finish(Some("HTTP 503 (rate limited or unavailable): gave up after 2 retries".into()))),
            ("a dropped PUT retries with backoff", dropped(), attempts(Method::PUT, 0, 0), Next::RetryAfter(Duration::from_millis(250))),
            ("and backs off further", dropped(), attempts(Method::PUT, 1, 250), Next::RetryAfter(Duration::from_millis(500))),
            ("a dropped POST says to check", dropped(), attempts(Method::POST, 0, 0), finish("the connection failed (connection closed); POST requests are not retried automatically, so check whether it took effect before trying again")),
            ("a dropped GET after the last retry", dropped(), attempts(Method::GET, 2, 750), finish("the connection failed (connection closed) after 2 retries")),
            ("a dropped GET beyond the budget", dropped(), attempts(Method::GET, 1, 9_800), finish("the connection failed (connection closed) after 1 retries")),
            ("another failure is not retried", Outcome::Failed { error: "bad".into(), dropped: false }, attempts(Method::GET, 0, 0), Next::Finish(None)),
        ];
        for (what, outcome, attempts, expected) in cases {
            assert_eq!(decide(&outcome, &attempts, &HttpLimits::default(), Some(&RINGCENTRAL)), expected, "{what}");
        }
    }
}
