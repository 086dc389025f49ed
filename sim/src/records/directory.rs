//! The account, its extensions and its phone numbers.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use strum::{EnumString, IntoStaticStr};

use super::Direction;
use crate::clock;

/// `AllExtensionTypesEnum` from the spec; the list filter accepts every one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum ExtensionType {
    User,
    Department,
    Announcement,
    Voicemail,
    DigitalUser,
    VirtualUser,
    FaxUser,
    PagingOnly,
    SharedLinesGroup,
    DelegatedLinesGroup,
    GroupCallPickup,
    IvrMenu,
    ApplicationExtension,
    ProxyAdmin,
    RoomConnector,
    ParkLocation,
    Limited,
    Bot,
    Site,
    Room,
    FlexibleUser,
    TieLine,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum ExtensionStatus {
    Enabled,
    Disabled,
    Frozen,
    NotActivated,
    Unassigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum UsageType {
    MainCompanyNumber,
    AdditionalCompanyNumber,
    CompanyNumber,
    DirectNumber,
    CompanyFaxNumber,
    FmcBusinessMobileNumber,
    InventoryFmcBusinessMobileNumber,
    ForwardedNumber,
    ForwardedCompanyNumber,
    ContactCenterNumber,
    ConferencingNumber,
    MeetingsNumber,
    NumberPool,
    BusinessMobileNumber,
    #[serde(rename = "ELIN")]
    #[strum(serialize = "ELIN")]
    Elin,
    PartnerBusinessMobileNumber,
    NumberPoolPartnerBusinessMobileNumber,
    NumberStorage,
    IntegrationNumber,
    InventoryMobileNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum NumberStatus {
    Normal,
    Pending,
    PortedIn,
    Temporary,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, EnumString, IntoStaticStr)]
pub enum PaymentType {
    External,
    TollFree,
    Local,
    BusinessMobileNumberProvider,
    ExternalNumberProvider,
    ExternalNumberProviderTollFree,
    Mobile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NumberType {
    VoiceFax,
    VoiceOnly,
    FaxOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NumberFeature {
    CallerId,
    SmsSender,
    MmsSender,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: u64,
    pub uri: String,
    /// `<base>/restapi/v1.0`, for dictionary references.
    pub api_root: String,
    pub main_number: String,
    pub operator_id: u64,
    pub created: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionContact {
    pub first_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub company: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_phone: Option<String>,
}

/// A call in progress, reported by presence with `detailedTelephonyState=true`.
#[derive(Debug, Clone)]
pub struct ActiveCall {
    pub id: String,
    pub direction: Direction,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub start_time: Timestamp,
    pub session_id: String,
    pub telephony_session_id: String,
}

#[derive(Debug, Clone)]
pub struct Extension {
    pub id: u64,
    pub uri: String,
    pub extension_number: String,
    pub name: String,
    pub kind: ExtensionType,
    pub status: ExtensionStatus,
    pub contact: ExtensionContact,
    pub created: Timestamp,
    pub active_calls: Vec<ActiveCall>,
}

#[derive(Debug, Clone)]
pub struct PhoneNumber {
    pub id: u64,
    pub phone_number: &'static str,
    pub location: &'static str,
    pub payment_type: PaymentType,
    pub kind: NumberType,
    pub usage_type: UsageType,
    pub status: NumberStatus,
    pub features: &'static [NumberFeature],
    /// The extension the number is assigned to; `None` for company numbers.
    pub extension: Option<u64>,
    pub primary: bool,
}

impl Account {
    pub fn render(&self, operator: &Extension) -> Value {
        json!({
            "uri": self.uri,
            "id": self.id,
            "bsid": format!("BS{}", self.id),
            "mainNumber": self.main_number,
            "operator": operator.reference(),
            "serviceInfo": {
                "uri": format!("{}/service-info", self.uri),
                "brand": { "id": "1210", "name": "RingCentral", "homeCountry": us_country(&self.api_root) },
                "servicePlan": { "id": "3623", "name": "RingEX Premium", "edition": "Premium" },
                "billingPlan": {
                    "id": "1439", "name": "Monthly", "durationUnit": "Month", "duration": 1,
                    "type": "Regular", "includedPhoneLines": 8,
                },
                "contractedCountry": us_country(&self.api_root),
                "uBrand": { "id": "1210", "name": "RingCentral" },
            },
            "setupWizardState": "Completed",
            "signupInfo": { "tosAccepted": true, "marketingAccepted": false },
            "status": "Confirmed",
            "statusInfo": {},
            "regionalSettings": regional_settings(&self.api_root),
            "federated": false,
            "outboundCallPrefix": 0,
            "creationTime": clock::format(self.created),
        })
    }
}

impl Extension {
    /// `{uri, id, extensionNumber}`: how other records point at an extension.
    pub fn reference(&self) -> Value {
        json!({ "uri": self.uri, "id": self.id, "extensionNumber": self.extension_number })
    }

    pub fn is_user(&self) -> bool {
        self.kind == ExtensionType::User
    }

    /// A record in the extension list.
    pub fn render_summary(&self) -> Value {
        json!({
            "uri": self.uri,
            "id": self.id,
            "extensionNumber": self.extension_number,
            "name": self.name,
            "type": self.kind,
            "status": self.status,
            "contact": self.contact,
            "permissions": { "admin": { "enabled": self.is_user() }, "internationalCalling": { "enabled": false } },
            "profileImage": { "uri": format!("{}/profile-image", self.uri) },
            "hidden": false,
            "creationTime": clock::format(self.created),
        })
    }

    /// The full extension info. Service features are only shown to the extension
    /// itself, as RingCentral does.
    pub fn render_info(&self, account: &Account, is_session_owner: bool) -> Value {
        let mut info = self.render_summary();
        info["account"] = json!({ "uri": account.uri, "id": account.id.to_string() });
        info["regionalSettings"] = regional_settings(&account.api_root);
        info["setupWizardState"] = json!("Completed");
        info["statusInfo"] = json!({});
        if is_session_owner {
            info["serviceFeatures"] = json!(
                ["SMS", "SMSReceiving", "Fax", "FaxReceiving", "Voicemail", "Presence", "RingOut", "VoipCalling"]
                    .iter()
                    .map(|name| json!({ "featureName": name, "enabled": true }))
                    .collect::<Vec<_>>()
            );
        }
        info
    }

    /// Presence as `GET .../presence` reports it. Non-user extensions are always
    /// Offline and carry no telephony or user status.
    pub fn render_presence(&self, detailed: bool) -> Value {
        let mut presence = json!({
            "uri": format!("{}/presence", self.uri),
            "extension": self.reference(),
            "presenceStatus": "Offline",
            "allowSeeMyPresence": true,
            "ringOnMonitoredCall": false,
            "pickUpCallsOnHold": false,
        });
        if !self.is_user() {
            return presence;
        }
        let on_call = !self.active_calls.is_empty();
        let (presence_status, telephony) = if on_call { ("Busy", "CallConnected") } else { ("Available", "NoCall") };
        presence["presenceStatus"] = json!(presence_status);
        presence["telephonyStatus"] = json!(telephony);
        presence["userStatus"] = json!("Available");
        presence["dndStatus"] = json!("TakeAllCalls");
        presence["meetingStatus"] = json!("Disconnected");
        presence["totalActiveCalls"] = json!(self.active_calls.len());
        if detailed {
            presence["activeCalls"] = self.active_calls.iter().map(ActiveCall::render).collect();
        }
        presence
    }
}

impl ActiveCall {
    fn render(&self) -> Value {
        json!({
            "id": self.id,
            "direction": self.direction,
            "from": self.from,
            "fromName": self.from_name,
            "to": self.to,
            "toName": self.to_name,
            "startTime": clock::format(self.start_time),
            "telephonyStatus": "CallConnected",
            "sessionId": self.session_id,
            "telephonySessionId": self.telephony_session_id,
            "partyId": format!("p-{}-1", self.telephony_session_id),
            "queueCall": false,
        })
    }
}

impl PhoneNumber {
    pub fn has_feature(&self, feature: NumberFeature) -> bool {
        self.features.contains(&feature)
    }

    /// A record of the account's number list (`CompanyPhoneNumberInfo`).
    pub fn render_for_account(&self, account: &Account, extension: Option<&Extension>) -> Value {
        let mut record = json!({
            "uri": format!("{}/phone-number/{}", account.uri, self.id),
            "id": self.id,
            "phoneNumber": self.phone_number,
            "location": self.location,
            "paymentType": self.payment_type,
            "type": self.kind,
            "usageType": self.usage_type,
            "status": self.status,
            "primary": self.primary,
        });
        if let Some(extension) = extension {
            let mut reference = extension.reference();
            reference["name"] = json!(extension.name);
            record["extension"] = reference;
        }
        record
    }

    /// A record of an extension's number list (`UserPhoneNumberInfo`), with features.
    pub fn render_for_extension(&self, account: &Account, extension: &Extension) -> Value {
        let mut record = json!({
            "uri": format!("{}/phone-number/{}", account.uri, self.id),
            "id": self.id,
            "phoneNumber": self.phone_number,
            "location": self.location,
            "paymentType": self.payment_type,
            "type": self.kind,
            "usageType": self.usage_type,
            "status": self.status,
            "country": us_country(&account.api_root),
            "features": self.features,
            "primary": self.primary,
        });
        if self.extension.is_some() {
            record["extension"] = extension.reference();
        }
        record
    }
}

fn us_country(api_root: &str) -> Value {
    json!({ "uri": format!("{api_root}/dictionary/country/1"), "id": "1", "name": "United States", "isoCode": "US", "callingCode": "1" })
}

fn regional_settings(api_root: &str) -> Value {
    json!({
        "homeCountry": us_country(api_root),
        "timezone": { "id": "58", "name": "US/Pacific", "description": "Pacific Time (US & Canada)", "bias": "-480" },
        "language": { "id": "1033", "name": "English (United States)", "localeCode": "en-US" },
        "greetingLanguage": { "id": "1033", "name": "English (United States)", "localeCode": "en-US" },
        "formattingLocale": { "id": "1033", "name": "English (United States)", "localeCode": "en-US" },
        "timeFormat": "12h",
    })
}
