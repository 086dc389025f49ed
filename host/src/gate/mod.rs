//! The HTTP gate: the one place that decides whether a plugin's request may
//! leave the host, and the only place credentials are attached to it.
//!
//! Decisions are made on the request URI's scheme, host and port (never on a
//! header). The plugin can neither set nor read `authorization`, `cookie` or
//! the hop-by-hop headers; the bearer token is injected here, after the gate
//! said yes, so it never crosses into the guest.
//!
//! Here: admission (the method, the [`OriginPolicy`], the request cap) and
//! the wasmtime hooks. `headers.rs` is the header policy, `exchange.rs` one
//! admitted request (pacing, token, renewal, retries), `body.rs` the capped and
//! token-masked bodies, `limits.rs` the limits and notes they share. The
//! rate-limit budget itself is `crate::pacing`.

mod body;
mod capture;
mod exchange;
mod headers;
mod limits;

use std::sync::Arc;
use std::time::Duration;

use http::Method;
use http::header::HeaderName;
use http::uri::Uri;
use wasmtime_wasi_http::{Error as HttpError, ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks};

pub use self::capture::{Capture, CapturedRequest};
use self::exchange::{Exchange, IoFuture, redact_query};
use self::headers::is_forbidden_header;
pub use self::limits::HttpLimits;
use self::limits::Notes;
use crate::allowlist::OriginPolicy;
use crate::connections::Connections;
use crate::credentials::Bearer;
use crate::pacing::CallPacing;

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

/// The gate for one tool call (one wasmtime Store).
pub struct Gate {
    policy: Arc<OriginPolicy>,
    bearer: Option<Arc<Bearer>>,
    limits: HttpLimits,
    connections: Connections,
    requests_sent: u32,
    notes: Notes,
    /// A preview: requests are recorded and held back ([`Capture`]).
    capture: Option<Capture>,
    /// Waits before each request for the account's rate limits (`None`: not paced).
    pacing: Option<CallPacing>,
}

impl Gate {
    pub fn new(
        policy: Arc<OriginPolicy>,
        bearer: Option<Arc<Bearer>>,
        limits: HttpLimits,
        connections: Connections,
        pacing: Option<CallPacing>,
    ) -> Gate {
        Gate { policy, bearer, limits, connections, requests_sent: 0, notes: Notes::default(), capture: None, pacing }
    }

    /// The gate of a preview: what the plugin builds is captured, not sent.
    pub fn capturing(mut self, capture: Option<Capture>) -> Gate {
        self.capture = capture;
        self
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
        if let Some(capture) = self.capture.clone().filter(|c| c.holds(request.method(), self.bearer.is_some())) {
            return Box::new(capture.record(request, self.limits.max_request_body, self.notes.clone()));
        }
        let exchange = Exchange {
            profile: self.policy.profile(),
            options: self.clamp(options),
            bearer: self.bearer.clone(),
            limits: self.limits.clone(),
            notes: self.notes.clone(),
            connections: self.connections.clone(),
            pacing: self.pacing.clone(),
        };
        Box::new(exchange.run(request))
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

    #[test]
    fn timeouts_are_clamped() {
        let gate = Gate::new(Arc::new(OriginPolicy::deny_all()), None, HttpLimits::default(), test_connections(), None);
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
    fn the_request_cap_counts_requests() {
        let policy = Arc::new(sim_policy());
        let limits = HttpLimits { max_requests: 2, ..HttpLimits::default() };
        let mut gate = Gate::new(policy, None, limits, test_connections(), None);
        let uri: Uri = "https://platform.ringcentral.com/restapi/v1.0/account/~".parse().unwrap();
        assert!(gate.admit(&Method::GET, &uri).is_ok());
        assert!(gate.admit(&Method::GET, &uri).is_ok());
        assert_eq!(gate.admit(&Method::GET, &uri).unwrap_err(), "more than 2 requests in one tool call");
    }
}
