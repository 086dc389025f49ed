//! `kosmo mcp:serve --http ADDR`: the same MCP server over Streamable HTTP
//! (rmcp's server transport), for many clients at once: 2025-11-25 clients get
//! sessions (`Mcp-Session-Id`), 2026-07-28 requests are served statelessly.
//! Each session (or stateless request) gets its own [`KosmoMcp`] over the one
//! [`crate::host::Host`], so every call takes the path stdio calls take.
//!
//! Before rmcp sees a request, its `Authorization: Bearer` must be the token
//! of `KOSMO_MCP_TOKEN`, compared in constant time (401 otherwise). rmcp then
//! refuses an `Origin` that is not the server's own or allowed with
//! `--allow-origin` (403, against DNS rebinding) and a `Host` that is not
//! loopback when bound to loopback. kosmo speaks plain HTTP: TLS, for a
//! non-loopback address, belongs to a proxy in front.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;

use super::KosmoMcp;
use crate::log;

/// The variable that holds the bearer token clients must present.
pub const TOKEN_ENV: &str = "KOSMO_MCP_TOKEN";
/// The one path the server answers.
pub const PATH: &str = "/mcp";

/// How `--http` was asked to serve.
pub struct HttpOptions {
    pub addr: SocketAddr,
    /// Browser origins allowed besides the server's own (`--allow-origin`).
    pub allowed_origins: Vec<String>,
    /// Bind a non-loopback address (`--allow-remote`).
    pub allow_remote: bool,
}

/// The token from the environment; without one the server does not start.
pub fn token_from_env() -> Result<String, String> {
    match std::env::var(TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => Ok(token),
        _ => Err(format!(
            "mcp:serve --http needs a bearer token for its clients: set {TOKEN_ENV} (e.g. `export \
             {TOKEN_ENV}=$(openssl rand -hex 32)`) and give clients `Authorization: Bearer <token>`"
        )),
    }
}

/// Binds the address, or says why it may not be bound.
pub async fn bind(options: &HttpOptions) -> Result<TcpListener, String> {
    let ip = options.addr.ip();
    if !ip.is_loopback() && !options.allow_remote {
        return Err(format!(
            "refusing to serve MCP on {ip}, which is not a loopback address: pass --allow-remote to mean it. kosmo \
             serves plain HTTP; put a TLS-terminating proxy in front of it for remote clients"
        ));
    }
    TcpListener::bind(options.addr).await.map_err(|e| format!("cannot listen on {}: {e}", options.addr))
}

/// The origins a browser page served by this address would send: the
/// server's own (every loopback spelling, when bound to loopback), and those allowed.
fn allowed_origins(local: SocketAddr, extra: &[String]) -> Vec<String> {
    let port = local.port();
    let mut origins = if local.ip().is_loopback() {
        ["localhost", "127.0.0.1", "[::1]"].map(|host| format!("http://{host}:{port}")).to_vec()
    } else {
        vec![format!("http://{local}")]
    };
    origins.extend(extra.iter().cloned());
    origins
}

/// Serves MCP on `listener` until the process is stopped; `handler` makes the
/// server of one session.
pub async fn serve(
    listener: TcpListener,
    options: &HttpOptions,
    token: String,
    handler: impl Fn() -> KosmoMcp + Send + Sync + 'static,
) -> Result<(), String> {
    let local = listener.local_addr().map_err(|e| format!("cannot read the bound address: {e}"))?;
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_origins(allowed_origins(local, &options.allowed_origins))
        .enforce_origin_validation();
    if !local.ip().is_loopback() {
        // Any name may reach a remote server (the proxy's, the machine's); the token guards it.
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(move || Ok(handler()), Arc::new(LocalSessionManager::default()), config);
    let guard = Arc::new(Guard { service, token: token.into_bytes() });
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment rather than spin.
                log::warn(format!("mcp:serve --http: accepting a connection failed: {e}"));
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        // Answers go out as several small writes (headers, then SSE events): without
        // this, Nagle's algorithm holds the last one for the client's delayed ACK (~40 ms).
        if let Err(e) = stream.set_nodelay(true) {
            log::debug(format!("mcp:serve --http: TCP_NODELAY for {peer}: {e}"));
        }
        let guard = guard.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let guard = guard.clone();
                async move { Ok::<_, Infallible>(guard.handle(request).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
                log::debug(format!("mcp:serve --http: connection from {peer} ended: {e}"));
            }
        });
    }
}

type HttpResponse = Response<BoxBody<Bytes, Infallible>>;

/// The checks kosmo makes before rmcp's: the path and the bearer token.
struct Guard {
    service: StreamableHttpService<KosmoMcp, LocalSessionManager>,
    token: Vec<u8>,
}

impl Guard {
    async fn handle(&self, request: Request<Incoming>) -> HttpResponse {
        if request.uri().path() != PATH {
            return plain(StatusCode::NOT_FOUND, &format!("Not Found: MCP is served at {PATH}"));
        }
        if !self.authorized(&request) {
            let mut response =
                plain(StatusCode::UNAUTHORIZED, &format!("Unauthorized: send Authorization: Bearer <{TOKEN_ENV}>"));
            response.headers_mut().insert(hyper::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer"));
            return response;
        }
        self.service.handle(request).await
    }

    /// `Authorization: Bearer <token>`, the token compared in constant time.
    fn authorized(&self, request: &Request<Incoming>) -> bool {
        let Some(value) = request.headers().get(hyper::header::AUTHORIZATION) else { return false };
        let value = value.as_bytes();
        let Some(presented) =
            value.get(..7).filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer ")).map(|_| &value[7..])
        else {
            return false;
        };
        bool::from(presented.ct_eq(&self.token))
    }
}

fn plain(status: StatusCode, text: &str) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(text.to_string())).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(hyper::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_own_origins_are_every_loopback_spelling_of_its_port() {
        let origins = allowed_origins("127.0.0.1:8931".parse().unwrap(), &["https://app.example:443".into()]);
        assert_eq!(
            origins,
            ["http://localhost:8931", "http://127.0.0.1:8931", "http://[::1]:8931", "https://app.example:443"]
        );
        let remote = allowed_origins("192.0.2.7:80".parse().unwrap(), &[]);
        assert_eq!(remote, ["http://192.0.2.7:80"]);
    }
}
