//! Bearer-token check for `/restapi`, with the gateway's error codes. A token
//! is good if it is one of `--token`, or an access token the token endpoint
//! issued that has neither expired (`OAU-128`) nor been rotated away.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::sessions::AccessCheck;
use crate::state::AppState;

pub async fn require_bearer(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let issued = |token: &str| app.platform.oauth.check_access(token);
    match check(request.headers(), &app.tokens, issued) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

fn check(headers: &HeaderMap, tokens: &[String], issued: impl Fn(&str) -> AccessCheck) -> Result<(), ApiError> {
    let header = headers.get(AUTHORIZATION).ok_or_else(ApiError::missing_authorization)?;
    let value = header.to_str().map_err(|_| ApiError::malformed_authorization())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(ApiError::malformed_authorization)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::malformed_authorization());
    }
    let token = token.trim();
    if tokens.iter().any(|t| t == token) {
        return Ok(());
    }
    match issued(token) {
        AccessCheck::Valid => Ok(()),
        AccessCheck::Expired => Err(ApiError::expired_token()),
        AccessCheck::Unknown => Err(ApiError::invalid_token()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn unknown(_: &str) -> AccessCheck {
        AccessCheck::Unknown
    }

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn accepts_any_configured_token() {
        let tokens = vec!["a".to_owned(), "b".to_owned()];
        assert!(check(&with_auth("Bearer a"), &tokens, unknown).is_ok());
        assert!(check(&with_auth("bearer b"), &tokens, unknown).is_ok());
    }

    #[test]
    fn rejects_missing_malformed_and_unknown() {
        let tokens = vec!["a".to_owned()];
        let code = |headers: &HeaderMap| format!("{:?}", check(headers, &tokens, unknown).unwrap_err());
        assert!(code(&HeaderMap::new()).contains("AGW-401"));
        assert!(code(&with_auth("Basic YTpi")).contains("AGW-402"));
        assert!(code(&with_auth("Bearer nope")).contains("TokenInvalid"));
    }

    #[test]
    fn issued_tokens_are_checked_for_expiry() {
        let expired = |_: &str| AccessCheck::Expired;
        let valid = |_: &str| AccessCheck::Valid;
        assert!(check(&with_auth("Bearer issued"), &[], valid).is_ok());
        assert!(format!("{:?}", check(&with_auth("Bearer issued"), &[], expired).unwrap_err()).contains("OAU-128"));
    }
}
