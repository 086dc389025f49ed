//! The personal address book of an extension.

use std::cmp::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use strum::{EnumString, IntoStaticStr};

use crate::errors::ApiError;
use crate::extract::{Ids, JsonBody, numeric_id};
use crate::list_query::ListQuery;
use crate::records::contact::{Contact, ContactFields};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, EnumString, IntoStaticStr)]
enum SortBy {
    FirstName,
    LastName,
    Company,
}

impl SortBy {
    fn key(self, contact: &Contact) -> String {
        let field = match self {
            SortBy::FirstName => &contact.fields.first_name,
            SortBy::LastName => &contact.fields.last_name,
            SortBy::Company => &contact.fields.company,
        };
        field.as_deref().unwrap_or_default().to_lowercase()
    }
}

/// Digits only, so `+14155550100` and `14155550100` compare equal.
fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// `GET .../address-book/contact`: `startsWith` matches the start of the first or
/// last name, ignoring case.
pub async fn list(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    mut query: ListQuery,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    let starts_with = query.text("startsWith").map(|prefix| prefix.to_lowercase());
    let sort_by: Vec<SortBy> = query.enums("sortBy")?;
    let phone_numbers: Vec<String> = query.texts("phoneNumber").iter().map(String::as_str).map(digits).collect();

    let name_matches = |contact: &Contact| {
        let Some(prefix) = &starts_with else {
            return true;
        };
        [&contact.fields.first_name, &contact.fields.last_name]
            .into_iter()
            .flatten()
            .any(|name| name.to_lowercase().starts_with(prefix.as_str()))
    };
    let number_matches = |contact: &Contact| {
        phone_numbers.is_empty() || contact.fields.phone_numbers().any(|n| phone_numbers.contains(&digits(n)))
    };
    let mut hits: Vec<&Contact> =
        store.contacts.iter().filter(|c| c.owner == extension.id && name_matches(c) && number_matches(c)).collect();
    hits.sort_by(|a, b| {
        sort_by
            .iter()
            .map(|s| s.key(a).cmp(&s.key(b)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then(a.id.cmp(&b.id))
    });
    let mut body = query.page(&format!("{}/address-book/contact", extension.uri), false, &hits)?;
    body["groups"] = json!({ "uri": format!("{}/address-book/group", extension.uri) });
    Ok(Json(body))
}

pub async fn read(
    State(app): State<AppState>,
    Ids((account_id, extension_id, contact_id)): Ids<(String, String, String)>,
) -> Result<Json<Contact>, ApiError> {
    let store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let index = store.contact_index(owner, numeric_id(&contact_id, "contactId")?)?;
    Ok(Json(store.contacts[index].clone()))
}

/// `POST .../address-book/contact`: answers 200 (not 201) with the new contact.
pub async fn create(
    State(app): State<AppState>,
    Ids((account_id, extension_id)): Ids<(String, String)>,
    JsonBody(fields): JsonBody<ContactFields>,
) -> Result<Json<Contact>, ApiError> {
    let mut store = app.store();
    let extension = store.extension(&account_id, &extension_id)?;
    let (owner, collection_uri) = (extension.id, format!("{}/address-book/contact", extension.uri));
    let id = store.next_contact_id;
    store.next_contact_id += 1;
    let contact = Contact { owner, uri: format!("{collection_uri}/{id}"), availability: "Alive", id, fields };
    store.contacts.push(contact.clone());
    Ok(Json(contact))
}

/// `PUT`: a full replacement; fields left out are cleared.
pub async fn replace(
    State(app): State<AppState>,
    Ids(path): Ids<(String, String, String)>,
    JsonBody(fields): JsonBody<ContactFields>,
) -> Result<Json<Contact>, ApiError> {
    edit(&app, path, |_| Ok(fields))
}

/// `PATCH`: named fields change, `null` removes one, the rest stay.
pub async fn patch(
    State(app): State<AppState>,
    Ids(path): Ids<(String, String, String)>,
    JsonBody(changes): JsonBody<Map<String, Value>>,
) -> Result<Json<Contact>, ApiError> {
    edit(&app, path, |current| current.patched(changes).map_err(ApiError::bad_json))
}

fn edit(
    app: &AppState,
    (account_id, extension_id, contact_id): (String, String, String),
    change: impl FnOnce(&ContactFields) -> Result<ContactFields, ApiError>,
) -> Result<Json<Contact>, ApiError> {
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let index = store.contact_index(owner, numeric_id(&contact_id, "contactId")?)?;
    let contact = &mut store.contacts[index];
    contact.fields = change(&contact.fields)?;
    Ok(Json(contact.clone()))
}

/// `DELETE`: 204; the contact is gone, so a second delete is a 404.
pub async fn delete(
    State(app): State<AppState>,
    Ids((account_id, extension_id, contact_id)): Ids<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let mut store = app.store();
    let owner = store.extension(&account_id, &extension_id)?.id;
    let index = store.contact_index(owner, numeric_id(&contact_id, "contactId")?)?;
    store.contacts.remove(index);
    Ok(StatusCode::NO_CONTENT)
}
