//! The HTTP gate: the one place that decides whether a plugin's request may
//! leave the host, and the only place credentials are attached to it.
//!
//! Decisions are made on the request URI's scheme, host and port (never on a
//! header). The plugin can neither set nor read `authorization`, `cookie` or
//! the hop-by-hop headers; the bearer token is injected here, after the gate
//! said yes, so it never crosses into the guest.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use http::uri::{Scheme, Uri};
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use wasmtime_wasi_http::{
    DEFAULT_FORBIDDEN_HEADERS, Error as HttpError, ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks,
};

/// A scheme, host and port that requests may go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a trailing `/` is tolerated; nothing else may follow).
    pub fn parse(text: &str) -> Result<Origin, String> {
        let url = url::Url::parse(text).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(format!("'{text}' must use https (or http for a local simulator), not {other}")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("'{text}' must not contain user information"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("'{text}' must be an origin (scheme://host[:port]) without a path"));
        }
        let host = url.host_str().ok_or_else(|| format!("'{text}' has no host"))?;
        let port = url.port_or_known_default().ok_or_else(|| format!("'{text}' has no port"))?;
        Ok(Origin { https, host: normalize_host(host), port })
    }

    /// The origin as a plugin sees it in its call context.
    pub fn to_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let default_port = if self.https { 443 } else { 80 };
        if self.port == default_port {
            format!("{scheme}://{}", self.host)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }

    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// Lowercase, without a trailing dot: `Platform.RingCentral.com.` is `platform.ringcentral.com`.
fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// RingCentral's API servers: production, the legacy `.biz` and the developer sandbox.
pub const RINGCENTRAL_API_HOSTS: [&str; 3] =
    ["platform.ringcentral.com", "platform.ringcentral.biz", "platform.devtest.ringcentral.com"];
/// Recordings and attachments are served from here.
pub const RINGCENTRAL_MEDIA_HOST: &str = "media.ringcentral.com";

/// The origins one account's calls may reach.
#[derive(Clone, Debug)]
pub struct OriginPolicy {
    allowed: Vec<Origin>,
}

impl OriginPolicy {
    /// The account's server plus RingCentral's media origin.
    pub fn for_server(server: &Origin) -> OriginPolicy {
        let media = Origin { https: true, host: RINGCENTRAL_MEDIA_HOST.into(), port: 443 };
        OriginPolicy { allowed: vec![server.clone(), media] }
    }

    /// A policy that admits nothing (calls that need no network).
    pub fn deny_all() -> OriginPolicy {
        OriginPolicy { allowed: Vec::new() }
    }

    /// Whether a plugin may send this request; the error says why not.
    pub fn check(&self, uri: &Uri) -> Result<(), String> {
        let scheme = uri.scheme().ok_or("the request has no scheme")?;
        let https = if *scheme == Scheme::HTTPS {
            true
        } else if *scheme == Scheme::HTTP {
            false
        } else {
            return Err(format!("scheme {scheme} is not allowed"));
        };
        let authority = uri.authority().ok_or("the request has no host")?;
        if authority.as_str().contains('@') {
            return Err("user information in the authority is not allowed".into());
        }
        let host = normalize_host(authority.host());
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let origin = Origin { https, host, port };
        if !self.allowed.contains(&origin) {
            return Err(format!("{} is not an allowed origin", origin.to_url()));
        }
        check_path(uri.path())
    }
}

/// Token endpoints belong to the host; dot segments could be resolved into them.
fn check_path(path: &str) -> Result<(), String> {
    let lowered = path.to_ascii_lowercase();
    let decoded = lowered.replace("%2e", ".").replace("%2f", "/").replace("%5c", "/").replace('\\', "/");
    if decoded.split('/').any(|segment| segment == "." || segment == "..") {
        return Err("dot segments in the path are not allowed".into());
    }
    let collapsed = decoded.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/");
    if collapsed.starts_with("restapi/oauth") {
        return Err("OAuth endpoints are reserved to the host".into());
    }
    Ok(())
}

/// Headers the plugin may neither set on requests nor read on responses.
pub fn is_forbidden_header(name: &HeaderName) -> bool {
    DEFAULT_FORBIDDEN_HEADERS.contains(name)
        || matches!(name.as_str(), "authorization" | "cookie" | "set-cookie" | "forwarded")
        || name.as_str().starts_with("proxy-")
        || name.as_str().starts_with("x-forwarded-")
}

/// Limits on what one tool call may do over HTTP.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub between_bytes_timeout: Duration,
    pub max_request_body: u64,
    pub max_response_body: u64,
    pub max_requests: u32,
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
        }
    }
}

/// The gate for one tool call (one wasmtime Store).
pub struct Gate {
    policy: Arc<OriginPolicy>,
    bearer_token: Option<Arc<str>>,
    limits: HttpLimits,
    requests_sent: u32,
}

impl Gate {
    pub fn new(policy: Arc<OriginPolicy>, bearer_token: Option<Arc<str>>, limits: HttpLimits) -> Gate {
        Gate { policy, bearer_token, limits, requests_sent: 0 }
    }

    fn admit(&mut self, uri: &Uri) -> Result<(), String> {
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

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), HttpError>> + Send>),
                HttpError,
            >,
        > + Send,
>;

impl WasiHttpHooks for Gate {
    fn is_forbidden_header(&mut self, name: &HeaderName) -> bool {
        is_forbidden_header(name)
    }

    fn forbidden_header_filter(&mut self) -> ForbiddenHeaderFilter {
        Arc::new(is_forbidden_header)
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> SendFuture {
        _ = fut;
        if let Err(reason) = self.admit(request.uri()) {
            eprintln!(
                "kosmo: denied a plugin request to {} {}: {reason}",
                request.method(),
                redact_query(request.uri())
            );
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        let options = self.clamp(options);
        let max_request = self.limits.max_request_body;
        let max_response = self.limits.max_response_body;
        let mut request = request.map(|body| CappedBody::new(body, max_request, false).boxed_unsync());
        if let Some(token) = &self.bearer_token {
            if let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}")) {
                value.set_sensitive(true);
                request.headers_mut().insert(AUTHORIZATION, value);
            }
        }
        Box::new(async move {
            let (response, io) = wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            let response = response.map(|body| CappedBody::new(body.boxed_unsync(), max_response, true).boxed_unsync());
            Ok((response, Box::new(io) as Box<dyn Future<Output = Result<(), HttpError>> + Send>))
        })
    }
}

/// For logs: the path without its query, which may carry personal data.
fn redact_query(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("?");
    format!("{scheme}://{authority}{}", uri.path())
}

/// A body that fails once more than `limit` bytes went through it.
struct CappedBody {
    inner: WasiBody,
    limit: u64,
    seen: u64,
    is_response: bool,
}

impl CappedBody {
    fn new(inner: WasiBody, limit: u64, is_response: bool) -> CappedBody {
        CappedBody { inner, limit, seen: 0, is_response }
    }
}

impl Body for CappedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                this.seen += data.len() as u64;
                if this.seen > this.limit {
                    let error = if this.is_response {
                        HttpError::HttpResponseBodySize(Some(this.limit))
                    } else {
                        HttpError::HttpRequestBodySize(Some(this.limit))
                    };
                    return Poll::Ready(Some(Err(error)));
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sim_policy() -> OriginPolicy {
        OriginPolicy::for_server(&Origin::parse("https://platform.ringcentral.com").unwrap())
    }

    #[test]
    fn origin_table() {
        let policy = sim_policy();
        let cases: &[(&str, bool)] = &[
            ("https://platform.ringcentral.com/restapi/v1.0/account/~", true),
            ("https://PLATFORM.RingCentral.com/restapi/v1.0/account/~", true),
            ("https://platform.ringcentral.com./restapi/v1.0/account/~", true),
            ("https://platform.ringcentral.com:443/restapi/v1.0/account/~", true),
            ("https://media.ringcentral.com/restapi/v1.0/account/~/recording/1/content", true),
            ("http://platform.ringcentral.com/restapi/v1.0/account/~", false),
            ("https://platform.ringcentral.com:8443/restapi/v1.0/account/~", false),
            ("https://evil.example/restapi/v1.0/account/~", false),
            ("https://platform.ringcentral.com.evil.example/restapi", false),
            ("https://169.254.169.254/latest/meta-data", false),
            ("https://127.0.0.1/restapi", false),
            ("https://[::1]/restapi", false),
            ("https://platform.ringcentral.com@evil.example/restapi", false),
            ("https://evil.example@platform.ringcentral.com/restapi", false),
            ("https://platform.ringcentral.com/restapi/oauth/token", false),
            ("https://platform.ringcentral.com/restapi//oauth/token", false),
            ("https://platform.ringcentral.com/RESTAPI/OAuth/token", false),
            ("https://platform.ringcentral.com/restapi/v1.0/../oauth/token", false),
            ("https://platform.ringcentral.com/restapi/v1.0/%2e%2e/oauth/token", false),
            ("https://platform.devtest.ringcentral.com/restapi/v1.0/account/~", false),
        ];
        for (uri, allowed) in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(policy.check(&uri).is_ok(), *allowed, "{uri}");
        }
    }

    #[test]
    fn loopback_server_is_exact_about_the_port() {
        let policy = OriginPolicy::for_server(&Origin::parse("http://127.0.0.1:8080").unwrap());
        assert!(policy.check(&"http://127.0.0.1:8080/restapi/v1.0".parse().unwrap()).is_ok());
        assert!(policy.check(&"http://127.0.0.1:8081/restapi/v1.0".parse().unwrap()).is_err());
        assert!(policy.check(&"https://127.0.0.1:8080/restapi/v1.0".parse().unwrap()).is_err());
        assert!(policy.check(&"http://localhost:8080/restapi/v1.0".parse().unwrap()).is_err());
    }

    #[test]
    fn origin_parsing() {
        assert_eq!(
            Origin::parse("https://platform.ringcentral.com/").unwrap().to_url(),
            "https://platform.ringcentral.com"
        );
        assert_eq!(Origin::parse("http://127.0.0.1:5000").unwrap().to_url(), "http://127.0.0.1:5000");
        assert!(Origin::parse("https://platform.ringcentral.com/restapi").is_err());
        assert!(Origin::parse("https://user:pw@platform.ringcentral.com").is_err());
        assert!(Origin::parse("ftp://platform.ringcentral.com").is_err());
        assert!(Origin::parse("http://127.0.0.1:5000").unwrap().is_loopback());
        assert!(Origin::parse("http://[::1]:5000").unwrap().is_loopback());
        assert!(!Origin::parse("https://platform.ringcentral.com").unwrap().is_loopback());
    }

    #[test]
    fn forbidden_headers() {
        for name in ["authorization", "Authorization", "host", "cookie", "proxy-authorization", "x-forwarded-for"] {
            assert!(is_forbidden_header(&HeaderName::from_bytes(name.as_bytes()).unwrap()), "{name}");
        }
        for name in ["accept", "content-type", "rcrequestid"] {
            assert!(!is_forbidden_header(&HeaderName::from_bytes(name.as_bytes()).unwrap()), "{name}");
        }
    }
}
