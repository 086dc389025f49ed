//! The declarative table of RingCentral tools. One entry per tool drives the
//! JSON Schema, the docs, argument validation and request building: adding a
//! tool touches this file only.

/// Whether a tool only reads or also changes data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Operation {
    Read,
    Write,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// The JSON type of a parameter, with the constraints checked before sending.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    String,
    /// A record ID placed in a URL path: no bulk or traversal characters.
    Id,
    /// A relative RingCentral API path (`api_*` tools).
    ApiPath,
    /// An ISO 8601 date or date-time.
    DateTime,
    Integer {
        min: i64,
        max: i64,
    },
    Boolean,
    Object,
}

/// How a JSON body field is shaped from a string argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// `"field": value`
    Plain,
    /// `"field": {"phoneNumber": value}`
    PhoneNumber,
    /// `"field": [{"phoneNumber": value}]`
    PhoneNumberList,
}

/// Where an argument goes in the request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Place {
    /// Replaces `{name}` in the path template.
    Path,
    /// A query parameter with the API's name.
    Query(&'static str),
    /// A field of the JSON body.
    Body(&'static str, Shape),
    /// An object whose members become query parameters (`api_get`).
    QueryObject,
    /// An object merged into the JSON body; named body fields win.
    Payload,
    /// The whole request path (`api_*`).
    RequestPath,
}

/// One accepted spelling of an enumerated value and what the API is sent.
/// `None` means "no filter": the parameter is left out of the request.
pub type Choice = (&'static str, Option<&'static str>);

#[derive(Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub description: &'static str,
    pub place: Place,
    /// Empty: any value of `kind`. Otherwise the accepted values (compared
    /// case-insensitively) and their API spelling.
    pub choices: &'static [Choice],
}

pub struct Tool {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub operation: Operation,
    pub method: Method,
    /// Path template under the server origin; `{name}` is a Path parameter.
    /// Empty for the `api_*` tools, whose path is an argument.
    pub path: &'static str,
    pub params: &'static [Param],
}

impl Tool {
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

const fn param(name: &'static str, kind: Kind, description: &'static str, place: Place) -> Param {
    Param { name, kind, required: false, description, place, choices: &[] }
}

const fn required(name: &'static str, kind: Kind, description: &'static str, place: Place) -> Param {
    Param { name, kind, required: true, description, place, choices: &[] }
}

const fn choice(name: &'static str, description: &'static str, api: &'static str, choices: &'static [Choice]) -> Param {
    Param { name, kind: Kind::String, required: false, description, place: Place::Query(api), choices }
}

const PER_PAGE: Kind = Kind::Integer { min: 1, max: 1000 };
const PAGE: Kind = Kind::Integer { min: 1, max: i32::MAX as i64 };

const EXT: &str = "/restapi/v1.0/account/~/extension/~";

const MESSAGE_TYPES: &[Choice] = &[
    ("Sms", Some("SMS")),
    ("SMS", Some("SMS")),
    ("Fax", Some("Fax")),
    ("VoiceMail", Some("VoiceMail")),
    ("Pager", Some("Pager")),
    ("All", None),
];
const DIRECTIONS: &[Choice] = &[("Inbound", Some("Inbound")), ("Outbound", Some("Outbound")), ("All", None)];
const READ_STATUSES: &[Choice] = &[("Read", Some("Read")), ("Unread", Some("Unread")), ("All", None)];
const READ_STATUS_VALUES: &[Choice] = &[("Read", Some("Read")), ("Unread", Some("Unread"))];
const CALL_TYPES: &[Choice] = &[("Voice", Some("Voice")), ("Fax", Some("Fax")), ("All", None)];

const DATE_FROM: Param = param(
    "dateFrom",
    Kind::DateTime,
    "Start date for filtering (ISO 8601, e.g., \"2025-01-01T00:00:00Z\"). Without it RingCentral returns only the last 24 hours.",
    Place::Query("dateFrom"),
);
const DATE_TO: Param = param(
    "dateTo",
    Kind::DateTime,
    "End date for filtering (ISO 8601, e.g., \"2025-01-31T23:59:59Z\").",
    Place::Query("dateTo"),
);
const PER_PAGE_PARAM: Param =
    param("perPage", PER_PAGE, "Number of records per page (default: 100, max: 1000).", Place::Query("perPage"));
const PAGE_PARAM: Param = param("page", PAGE, "Page number for pagination (default: 1).", Place::Query("page"));
const MESSAGE_ID: Param = required("message_id", Kind::Id, "Message record ID.", Place::Path);
const CONTACT_ID: Param = required("contact_id", Kind::Id, "Address book contact ID.", Place::Path);
const API_PATH: Param = required("path", Kind::ApiPath, "Relative RingCentral API path.", Place::RequestPath);

const CONTACT_FIELDS: [Param; 7] = [
    param("firstName", Kind::String, "First name.", Place::Body("firstName", Shape::Plain)),
    param("lastName", Kind::String, "Last name.", Place::Body("lastName", Shape::Plain)),
    param("company", Kind::String, "Company name.", Place::Body("company", Shape::Plain)),
    param("email", Kind::String, "Email address.", Place::Body("email", Shape::Plain)),
    param("businessPhone", Kind::String, "Business phone number.", Place::Body("businessPhone", Shape::Plain)),
    param("mobilePhone", Kind::String, "Mobile phone number.", Place::Body("mobilePhone", Shape::Plain)),
    param("payload", Kind::Object, "Additional official contact fields.", Place::Payload),
];

pub static TOOLS: &[Tool] = &[
    Tool {
        name: "list_messages",
        title: "List Messages",
        description: "List messages from the RingCentral message store. Supports filtering by type (SMS, Fax, VoiceMail), date range, read status, and direction. Returns paginated message records.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/message-store",
        params: &[
            choice(
                "messageType",
                "Filter by message type: Sms, Fax, VoiceMail, Pager, or All (default: All).",
                "messageType",
                MESSAGE_TYPES,
            ),
            DATE_FROM,
            DATE_TO,
            choice("direction", "Filter by direction: Inbound, Outbound, or All.", "direction", DIRECTIONS),
            choice("readStatus", "Filter by read status: Read, Unread, or All.", "readStatus", READ_STATUSES),
            PER_PAGE_PARAM,
            PAGE_PARAM,
        ],
    },
    Tool {
        name: "get_message",
        title: "Get Message",
        description: "Get detailed information about a specific message in the RingCentral message store by its ID. Returns the full message record including sender, recipient, subject, and content.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/message-store/{messageId}",
        params: &[required("messageId", Kind::Id, "The unique identifier of the message record.", Place::Path)],
    },
    Tool {
        name: "update_message",
        title: "Update Message",
        description: "Update a RingCentral message store record, commonly to set readStatus to Read or Unread.",
        operation: Operation::Write,
        method: Method::Patch,
        path: "/restapi/v1.0/account/~/extension/~/message-store/{message_id}",
        params: &[
            MESSAGE_ID,
            Param {
                name: "readStatus",
                kind: Kind::String,
                required: false,
                description: "Read or Unread.",
                place: Place::Body("readStatus", Shape::Plain),
                choices: READ_STATUS_VALUES,
            },
            param("payload", Kind::Object, "Additional official message update fields.", Place::Payload),
        ],
    },
    Tool {
        name: "delete_message",
        title: "Delete Message",
        description: "Delete a message from the authenticated extension's RingCentral message store.",
        operation: Operation::Write,
        method: Method::Delete,
        path: "/restapi/v1.0/account/~/extension/~/message-store/{message_id}",
        params: &[MESSAGE_ID],
    },
    Tool {
        name: "send_sms",
        title: "Send SMS",
        description: "Send an SMS message via RingCentral. The \"from\" number must be a phone number assigned to the authenticated extension. The \"to\" number is the destination phone number.",
        operation: Operation::Write,
        method: Method::Post,
        path: "/restapi/v1.0/account/~/extension/~/sms",
        params: &[
            required(
                "from",
                Kind::String,
                "The phone number to send from (must be a RingCentral number assigned to the extension, e.g., \"+16505551234\").",
                Place::Body("from", Shape::PhoneNumber),
            ),
            required(
                "to",
                Kind::String,
                "The destination phone number (e.g., \"+16505559876\").",
                Place::Body("to", Shape::PhoneNumberList),
            ),
            required(
                "text",
                Kind::String,
                "The SMS message body text. Maximum 160 characters per segment; longer messages are concatenated.",
                Place::Body("text", Shape::Plain),
            ),
        ],
    },
    Tool {
        name: "list_calls",
        title: "List Calls",
        description: "List call log records for the authenticated RingCentral extension. Supports filtering by date range, direction, type, and phone number. Returns paginated call records with caller, receiver, duration, and result.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/call-log",
        params: &[
            DATE_FROM,
            DATE_TO,
            choice("direction", "Filter by direction: Inbound, Outbound, or All.", "direction", DIRECTIONS),
            choice("type", "Filter by call type: Voice, Fax, or All.", "type", CALL_TYPES),
            param(
                "phoneNumber",
                Kind::String,
                "Filter by phone number (caller or receiver).",
                Place::Query("phoneNumber"),
            ),
            PER_PAGE_PARAM,
            PAGE_PARAM,
        ],
    },
    Tool {
        name: "list_account_calls",
        title: "List Account Calls",
        description: "List account-level call log records for RingCentral. Admin permissions may be required.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/call-log",
        params: &[
            DATE_FROM,
            DATE_TO,
            choice("direction", "Inbound, Outbound, or All.", "direction", DIRECTIONS),
            choice("type", "Voice, Fax, or All.", "type", CALL_TYPES),
            param(
                "phoneNumber",
                Kind::String,
                "Filter by caller or receiver phone number.",
                Place::Query("phoneNumber"),
            ),
            param("extensionNumber", Kind::String, "Filter by extension number.", Place::Query("extensionNumber")),
            param("perPage", PER_PAGE, "Records per page.", Place::Query("perPage")),
            param("page", PAGE, "Page number.", Place::Query("page")),
        ],
    },
    Tool {
        name: "get_call",
        title: "Get Call",
        description: "Get a single call log record for the authenticated RingCentral extension.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/call-log/{call_id}",
        params: &[required("call_id", Kind::Id, "Call log record ID.", Place::Path)],
    },
    Tool {
        name: "list_contacts",
        title: "List Contacts",
        description: "List contacts from the RingCentral personal address book. Supports filtering by name prefix and pagination. Returns contact records with names, phone numbers, and email addresses.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact",
        params: &[
            param(
                "startsWith",
                Kind::String,
                "Filter contacts whose first name, last name, or company name starts with this string.",
                Place::Query("startsWith"),
            ),
            PER_PAGE_PARAM,
            PAGE_PARAM,
        ],
    },
    Tool {
        name: "get_contact",
        title: "Get Contact",
        description: "Get a RingCentral personal address book contact by contact ID.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact/{contact_id}",
        params: &[CONTACT_ID],
    },
    Tool {
        name: "create_contact",
        title: "Create Contact",
        description: "Create a contact in the authenticated RingCentral extension's personal address book.",
        operation: Operation::Write,
        method: Method::Post,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact",
        params: &CONTACT_FIELDS,
    },
    Tool {
        name: "update_contact",
        title: "Update Contact",
        description: "Update a RingCentral personal address book contact by contact ID.",
        operation: Operation::Write,
        // PATCH: fields that are not named stay as they are (PUT would clear them).
        method: Method::Patch,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact/{contact_id}",
        params: &[
            CONTACT_ID,
            CONTACT_FIELDS[0],
            CONTACT_FIELDS[1],
            CONTACT_FIELDS[2],
            CONTACT_FIELDS[3],
            CONTACT_FIELDS[4],
            CONTACT_FIELDS[5],
            CONTACT_FIELDS[6],
        ],
    },
    Tool {
        name: "delete_contact",
        title: "Delete Contact",
        description: "Delete a contact from the authenticated RingCentral extension's personal address book.",
        operation: Operation::Write,
        method: Method::Delete,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact/{contact_id}",
        params: &[CONTACT_ID],
    },
    Tool {
        name: "get_account",
        title: "Get Account",
        description: "Get RingCentral account metadata for the authenticated token.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~",
        params: &[],
    },
    Tool {
        name: "list_extensions",
        title: "List Extensions",
        description: "List users and extensions in the RingCentral account with optional type/status filters and pagination.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension",
        params: &[
            param(
                "extensionType",
                Kind::String,
                "Filter by extension type such as User, Department, or Announcement.",
                Place::Query("type"),
            ),
            param("status", Kind::String, "Filter by extension status.", Place::Query("status")),
            param("perPage", PER_PAGE, "Records per page.", Place::Query("perPage")),
            param("page", PAGE, "Page number.", Place::Query("page")),
        ],
    },
    Tool {
        name: "get_extension",
        title: "Get Extension",
        description: "Get details for a RingCentral extension by extension ID.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/{extension_id}",
        params: &[required("extension_id", Kind::Id, "RingCentral extension ID.", Place::Path)],
    },
    Tool {
        name: "list_account_phone_numbers",
        title: "List Account Phone Numbers",
        description: "List RingCentral account phone numbers, including usage type, phone number type, and assignment metadata.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/phone-number",
        params: &[
            param(
                "usageType",
                Kind::String,
                "Filter by usage type such as MainCompanyNumber or DirectNumber.",
                Place::Query("usageType"),
            ),
            param("status", Kind::String, "Filter by phone number status.", Place::Query("status")),
            param("perPage", PER_PAGE, "Records per page.", Place::Query("perPage")),
            param("page", PAGE, "Page number.", Place::Query("page")),
        ],
    },
    Tool {
        name: "list_extension_phone_numbers",
        title: "List Extension Phone Numbers",
        description: "List phone numbers assigned to the authenticated RingCentral extension.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/phone-number",
        params: &[
            param("usageType", Kind::String, "Filter by usage type.", Place::Query("usageType")),
            param("perPage", PER_PAGE, "Records per page.", Place::Query("perPage")),
            param("page", PAGE, "Page number.", Place::Query("page")),
        ],
    },
    Tool {
        name: "get_presence",
        title: "Get Presence",
        description: "Get presence for the authenticated RingCentral extension, including telephony status and user status when available.",
        operation: Operation::Read,
        method: Method::Get,
        path: "/restapi/v1.0/account/~/extension/~/presence",
        params: &[param(
            "detailedTelephonyState",
            Kind::Boolean,
            "Request detailed telephony state when supported.",
            Place::Query("detailedTelephonyState"),
        )],
    },
    Tool {
        name: "get_current_user",
        title: "Get Current User",
        description: "Get information about the currently authenticated RingCentral extension. Returns extension ID, name, status, phone numbers, and account details.",
        operation: Operation::Read,
        method: Method::Get,
        path: EXT,
        params: &[],
    },
    Tool {
        name: "api_get",
        title: "API GET",
        description: "Call a relative RingCentral REST API GET path, such as \"/restapi/v1.0/account/~\". Absolute URLs are rejected.",
        operation: Operation::Read,
        method: Method::Get,
        path: "",
        params: &[API_PATH, param("params", Kind::Object, "Query parameters.", Place::QueryObject)],
    },
    Tool {
        name: "api_post",
        title: "API POST",
        description: "Call a relative RingCentral REST API POST path with a JSON body. Absolute URLs are rejected.",
        operation: Operation::Write,
        method: Method::Post,
        path: "",
        params: &[API_PATH, param("payload", Kind::Object, "JSON request body.", Place::Payload)],
    },
    Tool {
        name: "api_put",
        title: "API PUT",
        description: "Call a relative RingCentral REST API PUT path with a JSON body. Absolute URLs are rejected.",
        operation: Operation::Write,
        method: Method::Put,
        path: "",
        params: &[API_PATH, param("payload", Kind::Object, "JSON request body.", Place::Payload)],
    },
    Tool {
        name: "api_delete",
        title: "API DELETE",
        description: "Call a relative RingCentral REST API DELETE path. Absolute URLs are rejected.",
        operation: Operation::Write,
        method: Method::Delete,
        path: "",
        params: &[API_PATH, param("payload", Kind::Object, "Optional JSON body.", Place::Payload)],
    },
];
