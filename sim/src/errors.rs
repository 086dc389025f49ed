//! RingCentral-shaped error responses.
//!
//! The wire format carries the legacy top-level `errorCode`/`message` as well as the
//! `errors` array the spec declares, so clients that read either find what they expect.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    /// Top-level code; differs from `code` only where RingCentral's gateway does so.
    top_code: &'static str,
    code: &'static str,
    message: String,
    parameter_name: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, top_code: code, code, message: message.into(), parameter_name: None }
    }

    pub fn with_parameter(mut self, name: impl Into<String>) -> Self {
        self.parameter_name = Some(name.into());
        self
    }

    /// 400 CMN-101: a parameter has a value the API does not accept.
    pub fn invalid_parameter(name: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "CMN-101", format!("Parameter [{name}] value is invalid"))
            .with_parameter(name)
    }

    /// 404 CMN-102: the resource a path parameter names does not exist.
    pub fn not_found(name: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "CMN-102", format!("Resource for parameter [{name}] is not found"))
            .with_parameter(name)
    }

    /// 400 CMN-103: the request body is not the JSON the endpoint expects.
    pub fn bad_json(detail: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "CMN-103", format!("JSON can't be parsed: {detail}"))
    }

    pub fn missing_authorization() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AGW-401", "Authorization header is not specified")
    }

    pub fn malformed_authorization() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AGW-402", "Invalid Authorization header")
    }

    /// What RingCentral answers for an access token past its lifetime.
    pub fn expired_token() -> Self {
        Self { top_code: "TokenInvalid", ..Self::new(StatusCode::UNAUTHORIZED, "OAU-128", "Access token expired") }
    }

    /// What RingCentral answers for a bearer token it does not know.
    pub fn invalid_token() -> Self {
        Self { top_code: "TokenInvalid", ..Self::new(StatusCode::UNAUTHORIZED, "OAU-149", "OAuth token is invalid") }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut detail = json!({ "errorCode": self.code, "message": self.message });
        if let Some(name) = self.parameter_name {
            detail["parameterName"] = name.into();
        }
        let body = json!({ "errorCode": self.top_code, "message": self.message, "errors": [detail] });
        (self.status, axum::Json(body)).into_response()
    }
}

/// Answers any `/restapi` path no route knows.
pub async fn unknown_uri() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "CMN-120", "Invalid URI")
}

/// Answers a known path called with a method it does not support.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "CMN-104", "Method is not allowed for this resource")
}
