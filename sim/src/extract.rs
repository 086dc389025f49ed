//! Reading requests: query parameters, path ids and JSON bodies, each failing with a
//! RingCentral-shaped error instead of axum's plain-text rejections.

use std::convert::Infallible;
use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;

use crate::clock;
use crate::errors::ApiError;

/// The query string as ordered pairs; array parameters are repeated keys
/// (`messageType=SMS&messageType=Fax`), which serde's query extractors cannot express.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Self(form_urlencoded::parse(query.as_bytes()).into_owned().collect()))
    }
}

impl Params {
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// A scalar parameter; when repeated, the last value wins.
    pub fn single(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// A repeatable enum parameter; any value outside the enum is a 400.
    pub fn enums<T: FromStr>(&self, name: &str) -> Result<Vec<T>, ApiError> {
        self.values(name).map(|value| value.parse().map_err(|_| ApiError::invalid_parameter(name))).collect()
    }

    pub fn enum_value<T: FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.single(name).map(|value| value.parse().map_err(|_| ApiError::invalid_parameter(name))).transpose()
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.single(name)
            .map(|value| match value {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid_parameter(name)),
            })
            .transpose()
    }

    pub fn timestamp(&self, name: &str) -> Result<Option<Timestamp>, ApiError> {
        self.single(name).map(|value| clock::parse(value).ok_or_else(|| ApiError::invalid_parameter(name))).transpose()
    }

    /// The `dateFrom`/`dateTo` window of the message store and call log: `dateTo`
    /// defaults to now and `dateFrom` to 24 hours before `dateTo`.
    pub fn date_window(&self, now: Timestamp) -> Result<DateWindow, ApiError> {
        let explicit_to = self.timestamp("dateTo")?;
        let to = explicit_to.unwrap_or(now);
        let from = match self.timestamp("dateFrom")? {
            Some(from) => from,
            None => to.checked_sub(SignedDuration::from_hours(24)).unwrap_or(to),
        };
        Ok(DateWindow { from, to, explicit_to })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DateWindow {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Echoed back in list URIs only when the client sent it, as RingCentral does.
    pub explicit_to: Option<Timestamp>,
}

impl DateWindow {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && at <= self.to
    }
}

/// Path parameters; a path that cannot be decoded is a 400 CMN-101.
pub struct Ids<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Ids<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(ids)) => Ok(Self(ids)),
            Err(rejection) => Err(ApiError::new(StatusCode::BAD_REQUEST, "CMN-101", rejection.body_text())),
        }
    }
}

/// A JSON request body; anything that does not parse into `T` is a 400 CMN-103.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state).await.map_err(ApiError::bad_json)?;
        serde_json::from_slice(&bytes).map(Self).map_err(ApiError::bad_json)
    }
}

/// Parses a numeric id from the path (message and contact ids are int64).
pub fn numeric_id(value: &str, name: &str) -> Result<u64, ApiError> {
    value.parse().map_err(|_| ApiError::invalid_parameter(name))
}
