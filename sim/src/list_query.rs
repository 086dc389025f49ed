//! The query of a list endpoint: its filters, each echoed (defaults included) in the
//! list's `uri` and navigation links in the order it is read, its `dateFrom`/`dateTo`
//! window and, last, its page, which ends in the paged body of `paging.rs`.

use std::convert::Infallible;
use std::str::FromStr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::clock;
use crate::errors::ApiError;
use crate::extract::{DateWindow, Params};
use crate::paging::{self, Echo, PageRequest};

pub struct ListQuery {
    params: Params,
    echo: Echo,
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let params = Params::from_request_parts(parts, state).await?;
        Ok(Self { params, echo: Echo::default() })
    }
}

impl ListQuery {
    /// The raw query, for a filter that is echoed in another place or form than it is read.
    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn echo(&mut self) -> &mut Echo {
        &mut self.echo
    }

    /// A repeatable enum filter; any value outside the enum is a 400.
    pub fn enums<T: FromStr + Copy + Into<&'static str>>(&mut self, name: &'static str) -> Result<Vec<T>, ApiError> {
        let values = self.params.enums(name)?;
        self.echo.add_all(name, &values);
        Ok(values)
    }

    /// A repeatable enum filter that means `[default]` when absent.
    pub fn enums_or<T>(&mut self, name: &'static str, default: T) -> Result<Vec<T>, ApiError>
    where
        T: FromStr + Copy + Into<&'static str>,
    {
        let mut values = self.params.enums(name)?;
        if values.is_empty() {
            values.push(default);
        }
        self.echo.add_all(name, &values);
        Ok(values)
    }

    /// A scalar enum filter, echoed when given.
    pub fn enum_value<T: FromStr + Copy + Into<&'static str>>(
        &mut self,
        name: &'static str,
    ) -> Result<Option<T>, ApiError> {
        let value = self.params.enum_value(name)?;
        self.echo.add_all(name, value.as_slice());
        Ok(value)
    }

    /// A scalar enum that is `default` when absent, echoed either way.
    pub fn enum_or<T: FromStr + Copy + Into<&'static str>>(
        &mut self,
        name: &'static str,
        default: T,
    ) -> Result<T, ApiError> {
        let value = self.params.enum_value(name)?.unwrap_or(default);
        self.echo.add(name, value.into());
        Ok(value)
    }

    /// A text filter (the last value if repeated), echoed as given.
    pub fn text(&mut self, name: &'static str) -> Option<String> {
        let value = self.params.single(name).map(str::to_owned);
        if let Some(value) = &value {
            self.echo.add(name, value.as_str());
        }
        value
    }

    /// Every value of a repeatable text filter, echoed as given.
    pub fn texts(&mut self, name: &'static str) -> Vec<String> {
        let values: Vec<String> = self.params.values(name).map(str::to_owned).collect();
        for value in &values {
            self.echo.add(name, value.as_str());
        }
        values
    }

    /// The `dateFrom`/`dateTo` window (see [`Params::date_window`]), echoed.
    pub fn date_window(&mut self, now: Timestamp) -> Result<DateWindow, ApiError> {
        let window = self.params.date_window(now)?;
        self.echo_window(window);
        Ok(window)
    }

    /// `dateFrom` always; `dateTo` only when the client sent it, as RingCentral does.
    pub fn echo_window(&mut self, window: DateWindow) {
        self.echo.add("dateFrom", clock::format(window.from));
        if let Some(to) = window.explicit_to {
            self.echo.add("dateTo", clock::format(to));
        }
    }

    /// Reads `page`/`perPage` (see [`PageRequest::from_params`]) and builds the body
    /// for that page of `items`.
    pub fn page<T: Serialize>(&self, collection_uri: &str, allow_max: bool, items: &[T]) -> Result<Value, ApiError> {
        let page = PageRequest::from_params(&self.params, allow_max)?;
        Ok(paging::listing(collection_uri, &self.echo, page, items))
    }
}

/// An empty list filter lets everything through.
pub fn allows<T: PartialEq>(filter: &[T], value: T) -> bool {
    filter.is_empty() || filter.contains(&value)
}
