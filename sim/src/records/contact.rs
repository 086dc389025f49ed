//! Personal address-book contacts.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// The writable fields of a contact (`PersonalContactRequest`). Unknown names are
/// rejected so a misspelt field fails loudly instead of vanishing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_phone2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_phone2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_fax: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assistant_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub car_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_fax: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ringtone_index: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_info: Option<String>,
}

impl ContactFields {
    /// Applies a PATCH body: named fields are replaced, `null` removes one, the rest stay.
    pub fn patched(&self, patch: Map<String, Value>) -> Result<Self, serde_json::Error> {
        let Value::Object(mut merged) = serde_json::to_value(self)? else {
            unreachable!("a struct serializes to a JSON object")
        };
        for (name, value) in patch {
            if value.is_null() {
                merged.remove(&name);
            } else {
                merged.insert(name, value);
            }
        }
        serde_json::from_value(Value::Object(merged))
    }

    /// Every phone number the contact carries, for the `phoneNumber` list filter.
    pub fn phone_numbers(&self) -> impl Iterator<Item = &str> {
        [
            &self.home_phone,
            &self.home_phone2,
            &self.business_phone,
            &self.business_phone2,
            &self.mobile_phone,
            &self.business_fax,
            &self.company_phone,
            &self.assistant_phone,
            &self.car_phone,
            &self.other_phone,
            &self.other_fax,
            &self.callback_phone,
        ]
        .into_iter()
        .filter_map(|n| n.as_deref())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    /// The extension whose address book holds this contact.
    #[serde(skip)]
    pub owner: u64,
    pub uri: String,
    pub availability: &'static str,
    pub id: u64,
    #[serde(flatten)]
    pub fields: ContactFields,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_replaces_named_fields_and_null_removes() {
        let fields = ContactFields {
            first_name: Some("Ada".into()),
            company: Some("Old".into()),
            email: Some("ada@example.com".into()),
            ..Default::default()
        };
        let patch = json!({ "company": "New", "email": null });
        let patched = fields.patched(patch.as_object().unwrap().clone()).unwrap();
        assert_eq!(patched.first_name.as_deref(), Some("Ada"));
        assert_eq!(patched.company.as_deref(), Some("New"));
        assert_eq!(patched.email, None);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let patch = json!({ "fristName": "Ada" });
        assert!(ContactFields::default().patched(patch.as_object().unwrap().clone()).is_err());
    }
}
