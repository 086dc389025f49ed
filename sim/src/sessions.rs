//! OAuth sessions: the tokens the token endpoint issued and the rules they follow.
//! The JWT bearer grant (RFC 7523) with Basic client authentication, and refresh
//! tokens that are single-use (a refresh rotates both tokens and invalidates the old
//! access token), as RingCentral does. The bearer check asks [`Issuer::check_access`]
//! whether an access token is still good; the endpoints are in `oauth.rs`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

pub const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: String,
    pub jwts: Vec<String>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// What the bearer check learns about an access token.
#[derive(Debug, PartialEq, Eq)]
pub enum AccessCheck {
    Valid,
    Expired,
    Unknown,
}

struct Grant {
    session: u64,
    expires: Instant,
}

#[derive(Default)]
struct Sessions {
    issued: u64,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
}

pub struct Issuer {
    config: OAuthConfig,
    sessions: Mutex<Sessions>,
}

/// An OAuth error body: `{error, errors: [{errorCode, message}], error_description}`.
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    error: &'static str,
    code: &'static str,
    message: &'static str,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, code: &'static str, message: &'static str) -> Self {
        Self { status, error, code, message }
    }

    fn invalid_client() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", "OAU-123", "Invalid client credentials")
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "errors": [{ "errorCode": self.code, "message": self.message }],
            "error_description": self.message,
        });
        (self.status, axum::Json(body)).into_response()
    }
}

impl Issuer {
    pub fn new(config: OAuthConfig) -> Self {
        Self { config, sessions: Mutex::new(Sessions::default()) }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn check_access(&self, token: &str) -> AccessCheck {
        match self.sessions().access.get(token) {
            Some(grant) if grant.expires > Instant::now() => AccessCheck::Valid,
            Some(_) => AccessCheck::Expired,
            None => AccessCheck::Unknown,
        }
    }

    fn authenticate_client(&self, headers: &HeaderMap) -> Result<(), OAuthError> {
        let value = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(OAuthError::invalid_client)?;
        let (scheme, encoded) = value.split_once(' ').ok_or_else(OAuthError::invalid_client)?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(OAuthError::invalid_client());
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(OAuthError::invalid_client)?;
        let (id, secret) = decoded.split_once(':').ok_or_else(OAuthError::invalid_client)?;
        if id == self.config.client_id && secret == self.config.client_secret {
            Ok(())
        } else {
            Err(OAuthError::invalid_client())
        }
    }

    pub fn token(&self, headers: &HeaderMap, body: &[u8]) -> Result<serde_json::Value, OAuthError> {
        self.authenticate_client(headers)?;
        let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
        let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
        let grant_type = field("grant_type").ok_or_else(|| {
            OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", "OAU-101", "Parameter [grant_type] is missing")
        })?;
        match grant_type {
            JWT_GRANT => {
                let assertion = field("assertion").ok_or_else(|| {
                    OAuthError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "OAU-101",
                        "Parameter [assertion] is missing",
                    )
                })?;
                if !self.config.jwts.iter().any(|jwt| jwt == assertion) {
                    return Err(OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", "OAU-140", "Invalid JWT"));
                }
                let mut sessions = self.sessions();
                sessions.issued += 1;
                let session = sessions.issued;
                Ok(self.issue(&mut sessions, session))
            }
            "refresh_token" => {
                let presented = field("refresh_token").ok_or_else(|| {
                    OAuthError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "OAU-101",
                        "Parameter [refresh_token] is missing",
                    )
                })?;
                let mut sessions = self.sessions();
                // Single use: a refresh token is gone the moment it is presented.
                let grant = sessions.refresh.remove(presented).ok_or_else(|| {
                    OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", "OAU-211", "Token is revoked")
                })?;
                if grant.expires <= Instant::now() {
                    return Err(OAuthError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "OAU-212",
                        "Token is expired",
                    ));
                }
                // The session's previous access token stops working.
                sessions.access.retain(|_, g| g.session != grant.session);
                Ok(self.issue(&mut sessions, grant.session))
            }
            _ => Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "OAU-250",
                "Unsupported grant type",
            )),
        }
    }

    /// Revokes the whole session the token (access or refresh) belongs to.
    pub fn revoke(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
        self.authenticate_client(headers)?;
        let token = form_urlencoded::parse(body).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned());
        let mut sessions = self.sessions();
        let session =
            token.and_then(|t| sessions.access.get(&t).or_else(|| sessions.refresh.get(&t)).map(|g| g.session));
        if let Some(session) = session {
            sessions.access.retain(|_, g| g.session != session);
            sessions.refresh.retain(|_, g| g.session != session);
        }
        Ok(())
    }

    fn issue(&self, sessions: &mut Sessions, session: u64) -> serde_json::Value {
        let now = Instant::now();
        let access_token = new_token("AT", session);
        let refresh_token = new_token("RT", session);
        sessions.access.insert(access_token.clone(), Grant { session, expires: now + self.config.access_ttl });
        sessions.refresh.insert(refresh_token.clone(), Grant { session, expires: now + self.config.refresh_ttl });
        json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": self.config.access_ttl.as_secs(),
            "refresh_token": refresh_token,
            "refresh_token_expires_in": self.config.refresh_ttl.as_secs(),
            "scope": "ReadAccounts ReadMessages EditMessages SMS ReadCallLog ReadContacts Contacts ReadPresence",
            "owner_id": "62264425006",
            "endpoint_id": format!("sim-endpoint-{session}"),
            "session_id": format!("sim-session-{session}"),
        })
    }
}

/// Unguessable, and marked so that a leak is easy to spot in any output.
fn new_token(kind: &str, session: u64) -> String {
    format!("SIM{kind}{session:02}x{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn issuer(access_ttl: Duration) -> Issuer {
        Issuer::new(OAuthConfig {
            client_id: "c".into(),
            client_secret: "s".into(),
            jwts: vec!["j".into()],
            access_ttl,
            refresh_ttl: Duration::from_secs(60),
        })
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")));
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
        headers
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes()
    }

    #[test]
    fn jwt_grant_then_single_use_refresh() {
        let issuer = issuer(Duration::from_secs(60));
        let first = issuer.token(&basic("c", "s"), &form(&[("grant_type", JWT_GRANT), ("assertion", "j")])).unwrap();
        let access = first["access_token"].as_str().unwrap();
        let refresh = first["refresh_token"].as_str().unwrap();
        assert_eq!(issuer.check_access(access), AccessCheck::Valid);

        let body = form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]);
        let second = issuer.token(&basic("c", "s"), &body).unwrap();
        assert_eq!(issuer.check_access(access), AccessCheck::Unknown, "rotation invalidates the old access token");
        assert_eq!(issuer.check_access(second["access_token"].as_str().unwrap()), AccessCheck::Valid);
        let reused = issuer.token(&basic("c", "s"), &body).unwrap_err();
        assert_eq!(reused.code, "OAU-211", "a refresh token works once");
    }

    #[test]
    fn bad_clients_and_grants_are_refused() {
        let issuer = issuer(Duration::from_secs(60));
        let jwt = form(&[("grant_type", JWT_GRANT), ("assertion", "j")]);
        assert_eq!(issuer.token(&basic("c", "wrong"), &jwt).unwrap_err().error, "invalid_client");
        assert_eq!(issuer.token(&HeaderMap::new(), &jwt).unwrap_err().error, "invalid_client");
        let bad_jwt = form(&[("grant_type", JWT_GRANT), ("assertion", "x")]);
        assert_eq!(issuer.token(&basic("c", "s"), &bad_jwt).unwrap_err().error, "invalid_grant");
        let password = form(&[("grant_type", "password")]);
        assert_eq!(issuer.token(&basic("c", "s"), &password).unwrap_err().error, "unsupported_grant_type");
    }

    #[test]
    fn access_tokens_expire() {
        let issuer = issuer(Duration::from_millis(1));
        let info = issuer.token(&basic("c", "s"), &form(&[("grant_type", JWT_GRANT), ("assertion", "j")])).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(issuer.check_access(info["access_token"].as_str().unwrap()), AccessCheck::Expired);
    }
}
