//! The host's outgoing HTTP: one keep-alive connection pool per process,
//! shared by every plugin call, so a script's tenth call reuses the
//! connection (and TLS session) of its first instead of dialling again.
//!
//! The gate decides what may be sent and attaches the credential; this module
//! only sends, under the call's timeouts. A pooled connection serves requests
//! one at a time and carries nothing from one request to the next (no
//! cookies, no credentials: each request brings its own `authorization`).

use std::error::Error as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody};

/// How long an unused connection stays open: shorter than servers' usual
/// keep-alive, so the pool rarely hands out a connection the server closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Idle connections kept per origin: as many as calls usually run at once.
const MAX_IDLE_PER_ORIGIN: usize = 16;

#[derive(Clone)]
pub struct Connections {
    client: Client<HttpsConnector<HttpConnector>, WasiBody>,
}

impl Connections {
    /// `connect_timeout` bounds the TCP connect; TLS and the wait for the
    /// response head are bounded per request by [`Connections::send`].
    pub fn new(connect_timeout: Duration) -> Connections {
        let mut tcp = HttpConnector::new();
        // The scheme is the TLS layer's business: it wraps https and passes http through.
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(connect_timeout));
        tcp.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_max_idle_per_host(MAX_IDLE_PER_ORIGIN)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Connections { client }
    }

    /// Sends one request (absolute URI) and returns the response once its head
    /// arrived. Getting a connection and the head must take no longer than the
    /// connect and first-byte timeouts together; the body then fails if it
    /// pauses longer than the between-bytes timeout.
    pub async fn send(
        &self,
        request: http::Request<WasiBody>,
        options: RequestOptions,
    ) -> Result<http::Response<WasiBody>, HttpError> {
        let unset = Duration::from_secs(600);
        let head_wait =
            options.connect_timeout.unwrap_or(unset).saturating_add(options.first_byte_timeout.unwrap_or(unset));
        let response = match tokio::time::timeout(head_wait, self.client.request(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(http_error(&error)),
            Err(_) => return Err(HttpError::ConnectionReadTimeout),
        };
        let between_bytes = options.between_bytes_timeout.unwrap_or(unset);
        Ok(response.map(|body| PacedBody::new(body, between_bytes).boxed_unsync()))
    }
}

/// The client's error in wasi:http's terms, so the gate can tell a connection
/// that failed before any answer (safe to retry an idempotent request) from
/// other failures.
fn http_error(error: &hyper_util::client::legacy::Error) -> HttpError {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => HttpError::ConnectionRefused,
                std::io::ErrorKind::TimedOut => HttpError::ConnectionTimeout,
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => HttpError::ConnectionTerminated,
                _ if error.is_connect() => HttpError::Connect(std::io::Error::new(io.kind(), io.to_string())),
                _ => HttpError::InternalError(Some(io.to_string())),
            };
        }
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>()
            && (hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled())
        {
            return HttpError::ConnectionTerminated;
        }
        source = cause.source();
    }
    if error.is_connect() {
        HttpError::Connect(std::io::Error::other(error.to_string()))
    } else {
        HttpError::HttpProtocolError
    }
}

/// A response body that fails when the server pauses longer than the
/// between-bytes timeout.
struct PacedBody {
    inner: hyper::body::Incoming,
    pause: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl PacedBody {
    fn new(inner: hyper::body::Incoming, pause: Duration) -> PacedBody {
        PacedBody { inner, pause, deadline: Box::pin(tokio::time::sleep(pause)) }
    }
}

impl Body for PacedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = tokio::time::Instant::now() + this.pause;
                this.deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(HttpError::Hyper(error)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                ready!(this.deadline.as_mut().poll(cx));
                Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
