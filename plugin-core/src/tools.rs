//! The declarative table of RingCentral tools. One entry per tool drives the
//! JSON Schema, the docs, argument validation and request building.
//!
//! Adding a tool takes its entry here, with an `example` call (the docs show
//! it; the docs and conformance tests run it against the simulator and check
//! its requests against the OpenAPI spec), a route for it in the simulator
//! (`sim/`), and its case in each test that goes tool by tool: the request it
//! builds (`tests.rs`), the request on the wire, what a script gets back and the
//! bad input it refuses (`tests/tests/tools_wire.rs`, `tools_results.rs`,
//! `tools_bad_input.rs`). Those tests fail, naming the tool, until its case is
//! there; no test counts the tools, and the seed test allows tools the seed
//! does not list.
//!
//! Names, parameter names, types, required flags, Read/Write class and
//! descriptions are the seed reference's, verbatim (a test compares them);
//! where the API spells a parameter or value differently, the entry says how
//! it goes on the wire (`Place::Query("type")`, `Choices`).

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

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The JSON type of a parameter, with the constraints checked before sending.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    String,
    /// A non-empty string of at most `max` UTF-16 code units (how RingCentral counts).
    Text {
        max: usize,
    },
    /// A record ID placed in a URL path: no bulk or traversal characters.
    Id,
    /// A relative RingCentral API path (`api_*` tools).
    ApiPath,
    /// An ISO 8601 date-time with a zone, or a date (sent as midnight UTC).
    DateTime,
    /// A phone number; spaces, dashes, dots and parentheses are dropped.
    /// `plus: false` also drops a leading `+` (the call log's filter wants bare digits).
    Phone {
        plus: bool,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Boolean,
    Object,
    /// Paths of local files (1 to `max`): the host reads them and hands the
    /// plugin `{filename, contentType, contentBase64}` objects (README, media).
    LocalFiles {
        max: usize,
    },
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
    /// `syncToken`: with it an incremental sync (`syncType=ISync`), without a full one (`FSync`).
    SyncToken,
    /// Read by the plugin itself, never sent (`wait_for_reply`'s `from` and `timeout`).
    Local,
    /// Taken out by the host before the call; the plugin never sees it.
    Host(HostRole),
}

/// What the host does with a `Place::Host` argument (the media convention, README).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HostRole {
    /// Where the host saves the media the tool returns.
    SaveTo,
    /// Whether the host may replace an existing file at `save_to`.
    Overwrite,
}

/// How a tool's call runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Run {
    /// One request; the JSON answer is the result.
    Json,
    /// One request to the media origin; the bytes come back as
    /// `{contentType, size, contentBase64}` for the host to save.
    Media,
    /// Incremental message syncs until an inbound message arrives or the time is up.
    WaitForReply,
}

/// The values an enumerated parameter accepts.
#[derive(Clone, Copy, Debug)]
pub struct Choices {
    /// The API's values: accepted case-insensitively, sent as spelled here.
    pub values: &'static [&'static str],
    /// Spellings the seed documents that the API does not take: `None` means
    /// "no filter" (the parameter is left out of the request).
    pub aliases: &'static [(&'static str, Option<&'static str>)],
    /// The API parameter is an array: `"SMS,Fax"` goes out as repeated keys.
    pub multiple: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub description: &'static str,
    pub place: Place,
    pub choices: Option<Choices>,
}

impl Param {
    const fn with(self, choices: Choices) -> Param {
        Param { choices: Some(choices), ..self }
    }
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
    /// Pairs of parameters the API refuses to combine.
    pub exclusive: &'static [(&'static str, &'static str)],
    /// The arguments of the docs' example call (Lua table fields); tests run
    /// every example against the simulator and check its requests against the spec.
    /// The writes they make differ (nested ones included): they run in one process,
    /// and the write journal refuses the same write again.
    pub example: &'static str,
    /// What a successful call returns: the tool's output schema.
    pub output: Output,
    pub run: Run,
}

/// The shape of a tool's result, for its output schema (MCP's `outputSchema`).
/// A few fields of the resource, typed as RingCentral's spec types them (a
/// test checks each against the operation's response schema); the API's
/// other fields pass through too.
#[derive(Clone, Copy, Debug)]
pub enum Output {
    /// One resource and some of its fields.
    Record(&'static [Field]),
    /// A page of resources: `records` (each with these fields), `paging`, `navigation`.
    Page(&'static [Field]),
    /// No content (a delete's 204), reported as `{"success": true, "status": 204}`.
    Done,
    /// A message sync: `records` (each with these fields) and `syncInfo` with the `syncToken`.
    Sync(&'static [Field]),
    /// `wait_for_reply`'s `{records, syncToken, timedOut}`: the replies are sync records.
    Replies(&'static [Field]),
    /// Media the host handles (README, "Media and files"): `{contentType, size}`, with the
    /// `path` it was saved to, or the `contentBase64` a script gets when nothing is saved.
    Media,
    /// Whatever object the API answers (the `api_*` tools).
    Any,
}

/// A field of a result and its JSON type.
pub type Field = (&'static str, &'static str);

const MESSAGE: &[Field] = &[
    ("id", "integer"),
    ("uri", "string"),
    ("type", "string"),
    ("direction", "string"),
    ("readStatus", "string"),
    ("creationTime", "string"),
    ("from", "object"),
    ("to", "array"),
];
const CALL: &[Field] = &[
    ("id", "string"),
    ("uri", "string"),
    ("sessionId", "string"),
    ("type", "string"),
    ("direction", "string"),
    ("result", "string"),
    ("startTime", "string"),
    ("duration", "integer"),
];
const CONTACT: &[Field] = &[
    ("id", "integer"),
    ("uri", "string"),
    ("firstName", "string"),
    ("lastName", "string"),
    ("company", "string"),
    ("email", "string"),
];
const ACCOUNT: &[Field] = &[("id", "integer"), ("uri", "string"), ("mainNumber", "string"), ("status", "string")];
const EXTENSION: &[Field] = &[
    ("id", "integer"),
    ("uri", "string"),
    ("extensionNumber", "string"),
    ("name", "string"),
    ("type", "string"),
    ("status", "string"),
];
const PHONE_NUMBER: &[Field] =
    &[("id", "integer"), ("phoneNumber", "string"), ("usageType", "string"), ("type", "string")];
const RING_OUT_CALL: &[Field] = &[("id", "string"), ("uri", "string"), ("status", "object")];
const PRESENCE: &[Field] = &[
    ("uri", "string"),
    ("presenceStatus", "string"),
    ("telephonyStatus", "string"),
    ("userStatus", "string"),
    ("dndStatus", "string"),
];

impl Tool {
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The tool as the seed names it in full: `ringcentral.ringcentral_<name>`.
    pub fn full_name(&self) -> String {
        format!("ringcentral.ringcentral_{}", self.name)
    }

    /// It may delete or overwrite what is there: updates, deletes, and the
    /// `api_*` writes, whose effect the path decides.
    pub fn destructive(&self) -> bool {
        self.operation == Operation::Write
            && (matches!(self.method, Method::Put | Method::Patch | Method::Delete) || self.path.is_empty())
    }

    /// A repeat with the same arguments changes nothing more: reads, updates
    /// that set fields, deletes; not a POST (a second text, a second contact).
    pub fn idempotent(&self) -> bool {
        self.method != Method::Post
    }
}

pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

const fn param(name: &'static str, kind: Kind, description: &'static str, place: Place) -> Param {
    Param { name, kind, required: false, description, place, choices: None }
}

const fn required(name: &'static str, kind: Kind, description: &'static str, place: Place) -> Param {
    Param { name, kind, required: true, description, place, choices: None }
}

/// An optional string filter sent as the query parameter `api`.
const fn filter(name: &'static str, description: &'static str, api: &'static str, choices: Choices) -> Param {
    param(name, Kind::String, description, Place::Query(api)).with(choices)
}

const fn list(values: &'static [&'static str]) -> Choices {
    Choices { values, aliases: &[], multiple: true }
}

const ALL_IS_NO_FILTER: &[(&str, Option<&str>)] = &[("All", None)];

const fn list_or_all(values: &'static [&'static str]) -> Choices {
    Choices { values, aliases: ALL_IS_NO_FILTER, multiple: true }
}

// Enumerations, as the API spells them (rc-public-openapi.yml).
const MESSAGE_TYPES: Choices = list_or_all(&["Fax", "SMS", "VoiceMail", "Pager"]);
const DIRECTIONS: Choices = list_or_all(&["Inbound", "Outbound"]);
const READ_STATUSES: Choices = list_or_all(&["Read", "Unread"]);
const CALL_TYPES: Choices = list_or_all(&["Voice", "Fax"]);
const READ_STATUS: Choices = Choices { values: &["Read", "Unread"], aliases: &[], multiple: false };
const EXTENSION_TYPES: Choices = list(&[
    "User",
    "Department",
    "Announcement",
    "Voicemail",
    "DigitalUser",
    "VirtualUser",
    "FaxUser",
    "PagingOnly",
    "SharedLinesGroup",
    "DelegatedLinesGroup",
    "GroupCallPickup",
    "IvrMenu",
    "ApplicationExtension",
    "ProxyAdmin",
    "RoomConnector",
    "ParkLocation",
    "Limited",
    "Bot",
    "Site",
    "Room",
    "FlexibleUser",
    "TieLine",
    "Unknown",
]);
const EXTENSION_STATUSES: Choices = list(&["Enabled", "Disabled", "Frozen", "NotActivated", "Unassigned"]);
const USAGE_TYPES: Choices = list(&[
    "MainCompanyNumber",
    "AdditionalCompanyNumber",
    "CompanyNumber",
    "DirectNumber",
    "CompanyFaxNumber",
    "FmcBusinessMobileNumber",
    "InventoryFmcBusinessMobileNumber",
    "ForwardedNumber",
    "ForwardedCompanyNumber",
    "ContactCenterNumber",
    "ConferencingNumber",
    "MeetingsNumber",
    "NumberPool",
    "BusinessMobileNumber",
    "ELIN",
    "PartnerBusinessMobileNumber",
    "NumberPoolPartnerBusinessMobileNumber",
    "NumberStorage",
    "IntegrationNumber",
    "InventoryMobileNumber",
]);
const NUMBER_STATUSES: Choices = list(&["Normal", "Pending", "PortedIn", "Temporary", "Unknown"]);

const PER_PAGE: Kind = Kind::Integer { min: 1, max: 1000 };
const PAGE: Kind = Kind::Integer { min: 1, max: i32::MAX as i64 };

const fn per_page(description: &'static str) -> Param {
    param("perPage", PER_PAGE, description, Place::Query("perPage"))
}
const fn page(description: &'static str) -> Param {
    param("page", PAGE, description, Place::Query("page"))
}
const fn date(name: &'static str, description: &'static str) -> Param {
    param(name, Kind::DateTime, description, Place::Query(name))
}

const DATE_FROM: Param = date("dateFrom", "Start date for filtering (ISO 8601, e.g., \"2025-01-01T00:00:00Z\").");
const DATE_TO: Param = date("dateTo", "End date for filtering (ISO 8601, e.g., \"2025-01-31T23:59:59Z\").");
const PER_PAGE_100: Param = per_page("Number of records per page (default: 100, max: 1000).");
const PAGE_1: Param = page("Page number for pagination (default: 1).");
const RECORDS_PER_PAGE: Param = per_page("Records per page.");
const PAGE_NUMBER: Param = page("Page number.");
const MESSAGE_ID: Param = required("message_id", Kind::Id, "Message record ID.", Place::Path);
const CONTACT_ID: Param = required("contact_id", Kind::Id, "Address book contact ID.", Place::Path);
const API_PATH: Param = required("path", Kind::ApiPath, "Relative RingCentral API path.", Place::RequestPath);

const fn contact_field(name: &'static str, description: &'static str) -> Param {
    param(name, Kind::String, description, Place::Body(name, Shape::Plain))
}
const FIRST_NAME: Param = contact_field("firstName", "First name.");
const LAST_NAME: Param = contact_field("lastName", "Last name.");
const COMPANY: Param = contact_field("company", "Company name.");
const EMAIL: Param = contact_field("email", "Email address.");
const BUSINESS_PHONE: Param = contact_field("businessPhone", "Business phone number.");
const MOBILE_PHONE: Param = contact_field("mobilePhone", "Mobile phone number.");
const CONTACT_PAYLOAD: Param = param("payload", Kind::Object, "Additional official contact fields.", Place::Payload);

const MESSAGE_STORE: &str = "/restapi/v1.0/account/~/extension/~/message-store";
const CONTACTS: &str = "/restapi/v1.0/account/~/extension/~/address-book/contact";

const MESSAGE_SYNC: &str = "/restapi/v1.0/account/~/extension/~/message-sync";
const RING_OUT: &str = "/restapi/v1.0/account/~/extension/~/ring-out";
const SYNC_TOKEN: Param = param(
    "syncToken",
    Kind::String,
    "syncInfo.syncToken of an earlier sync: only what changed since.",
    Place::SyncToken,
);
const SYNC_MESSAGE_TYPE: Param = filter(
    "messageType",
    "Only these message types: SMS, Fax, VoiceMail, Pager (default: all).",
    "messageType",
    MESSAGE_TYPES,
);
const SAVE_TO: Param = param(
    "save_to",
    Kind::String,
    "File the host saves the content to, relative to the working directory (no '..'; an existing file only with overwrite).",
    Place::Host(HostRole::SaveTo),
);
const OVERWRITE: Param =
    param("overwrite", Kind::Boolean, "Let save_to replace an existing file.", Place::Host(HostRole::Overwrite));
const RINGOUT_ID: Param = required("ringout_id", Kind::Id, "RingOut call ID (ring_out's id).", Place::Path);

const BASE: Tool = Tool {
    name: "",
    title: "",
    description: "",
    operation: Operation::Read,
    method: Method::Get,
    path: "",
    params: &[],
    exclusive: &[],
    example: "",
    output: Output::Any,
    run: Run::Json,
};

pub static TOOLS: &[Tool] = &[
    Tool {
        name: "list_messages",
        title: "List Messages",
        description: "List messages from the RingCentral message store. Supports filtering by type (SMS, Fax, VoiceMail), date range, read status, and direction. Returns paginated message records.",
        path: MESSAGE_STORE,
        params: &[
            filter(
                "messageType",
                "Filter by message type: Sms, Fax, VoiceMail, Pager, or All (default: All).",
                "messageType",
                MESSAGE_TYPES,
            ),
            DATE_FROM,
            DATE_TO,
            filter("direction", "Filter by direction: Inbound, Outbound, or All.", "direction", DIRECTIONS),
            filter("readStatus", "Filter by read status: Read, Unread, or All.", "readStatus", READ_STATUSES),
            PER_PAGE_100,
            PAGE_1,
        ],
        example: "messageType = \"Sms\", dateFrom = \"2026-05-01T00:00:00Z\", perPage = 25",
        output: Output::Page(MESSAGE),
        ..BASE
    },
    Tool {
        name: "get_message",
        title: "Get Message",
        description: "Get detailed information about a specific message in the RingCentral message store by its ID. Returns the full message record including sender, recipient, subject, and content.",
        path: "/restapi/v1.0/account/~/extension/~/message-store/{messageId}",
        params: &[required("messageId", Kind::Id, "The unique identifier of the message record.", Place::Path)],
        example: "messageId = \"1234567890\"",
        output: Output::Record(MESSAGE),
        ..BASE
    },
    Tool {
        name: "update_message",
        title: "Update Message",
        description: "Update a RingCentral message store record, commonly to set readStatus to Read or Unread.",
        operation: Operation::Write,
        // PATCH takes `readStatus` and `availability` (PUT only `readStatus`).
        method: Method::Patch,
        path: "/restapi/v1.0/account/~/extension/~/message-store/{message_id}",
        params: &[
            MESSAGE_ID,
            param("readStatus", Kind::String, "Read or Unread.", Place::Body("readStatus", Shape::Plain))
                .with(READ_STATUS),
            param("payload", Kind::Object, "Additional official message update fields.", Place::Payload),
        ],
        example: "message_id = \"1234567890\", readStatus = \"Read\"",
        output: Output::Record(MESSAGE),
        ..BASE
    },
    Tool {
        name: "delete_message",
        title: "Delete Message",
        description: "Delete a message from the authenticated extension's RingCentral message store.",
        operation: Operation::Write,
        method: Method::Delete,
        path: "/restapi/v1.0/account/~/extension/~/message-store/{message_id}",
        params: &[MESSAGE_ID],
        example: "message_id = \"1234567890\"",
        output: Output::Done,
        ..BASE
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
                Kind::Phone { plus: true },
                "The phone number to send from (must be a RingCentral number assigned to the extension, e.g., \"+16505551234\").",
                Place::Body("from", Shape::PhoneNumber),
            ),
            required(
                "to",
                Kind::Phone { plus: true },
                "The destination phone number (e.g., \"+16505559876\").",
                Place::Body("to", Shape::PhoneNumberList),
            ),
            required(
                "text",
                Kind::Text { max: 1000 },
                "The SMS message body text. Maximum 160 characters per segment; longer messages are concatenated.",
                Place::Body("text", Shape::Plain),
            ),
        ],
        example: "from = \"+16505551234\", to = \"+16505559876\", text = \"Hello from RingCentral\"",
        output: Output::Record(MESSAGE),
        ..BASE
    },
    Tool {
        name: "list_calls",
        title: "List Calls",
        description: "List call log records for the authenticated RingCentral extension. Supports filtering by date range, direction, type, and phone number. Returns paginated call records with caller, receiver, duration, and result.",
        path: "/restapi/v1.0/account/~/extension/~/call-log",
        params: &[
            DATE_FROM,
            DATE_TO,
            filter("direction", "Filter by direction: Inbound, Outbound, or All.", "direction", DIRECTIONS),
            filter("type", "Filter by call type: Voice, Fax, or All.", "type", CALL_TYPES),
            param(
                "phoneNumber",
                Kind::Phone { plus: false },
                "Filter by phone number (caller or receiver).",
                Place::Query("phoneNumber"),
            ),
            PER_PAGE_100,
            PAGE_1,
        ],
        example: "dateFrom = \"2026-05-01T00:00:00Z\", direction = \"Inbound\"",
        output: Output::Page(CALL),
        ..BASE
    },
    Tool {
        name: "list_account_calls",
        title: "List Account Calls",
        description: "List account-level call log records for RingCentral. Admin permissions may be required.",
        path: "/restapi/v1.0/account/~/call-log",
        params: &[
            date("dateFrom", "Start date for filtering."),
            date("dateTo", "End date for filtering."),
            filter("direction", "Inbound, Outbound, or All.", "direction", DIRECTIONS),
            filter("type", "Voice, Fax, or All.", "type", CALL_TYPES),
            param(
                "phoneNumber",
                Kind::Phone { plus: false },
                "Filter by caller or receiver phone number.",
                Place::Query("phoneNumber"),
            ),
            param("extensionNumber", Kind::String, "Filter by extension number.", Place::Query("extensionNumber")),
            RECORDS_PER_PAGE,
            PAGE_NUMBER,
        ],
        // "Cannot be combined with `phoneNumber` filter" (readCompanyCallLog).
        exclusive: &[("extensionNumber", "phoneNumber")],
        example: "dateFrom = \"2026-05-01T00:00:00Z\", perPage = 100",
        output: Output::Page(CALL),
        ..BASE
    },
    Tool {
        name: "get_call",
        title: "Get Call",
        description: "Get a single call log record for the authenticated RingCentral extension.",
        path: "/restapi/v1.0/account/~/extension/~/call-log/{call_id}",
        params: &[required("call_id", Kind::Id, "Call log record ID.", Place::Path)],
        example: "call_id = app.integrations.ringcentral.list_calls({}).records[1].id",
        output: Output::Record(CALL),
        ..BASE
    },
    Tool {
        name: "list_contacts",
        title: "List Contacts",
        description: "List contacts from the RingCentral personal address book. Supports filtering by name prefix and pagination. Returns contact records with names, phone numbers, and email addresses.",
        path: CONTACTS,
        params: &[
            param(
                "startsWith",
                Kind::String,
                "Filter contacts whose first name, last name, or company name starts with this string.",
                Place::Query("startsWith"),
            ),
            PER_PAGE_100,
            PAGE_1,
        ],
        example: "startsWith = \"Ada\"",
        output: Output::Page(CONTACT),
        ..BASE
    },
    Tool {
        name: "get_contact",
        title: "Get Contact",
        description: "Get a RingCentral personal address book contact by contact ID.",
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact/{contact_id}",
        params: &[CONTACT_ID],
        example: "contact_id = \"620000001\"",
        output: Output::Record(CONTACT),
        ..BASE
    },
    Tool {
        name: "create_contact",
        title: "Create Contact",
        description: "Create a contact in the authenticated RingCentral extension's personal address book.",
        operation: Operation::Write,
        method: Method::Post,
        path: CONTACTS,
        params: &[FIRST_NAME, LAST_NAME, COMPANY, EMAIL, BUSINESS_PHONE, MOBILE_PHONE, CONTACT_PAYLOAD],
        example: "firstName = \"Ada\", lastName = \"Lovelace\", mobilePhone = \"+16505550100\"",
        output: Output::Record(CONTACT),
        ..BASE
    },
    Tool {
        name: "update_contact",
        title: "Update Contact",
        description: "Update a RingCentral personal address book contact by contact ID.",
        operation: Operation::Write,
        // PATCH: fields that are not named stay as they are (PUT would clear them).
        method: Method::Patch,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact/{contact_id}",
        params: &[CONTACT_ID, FIRST_NAME, LAST_NAME, COMPANY, EMAIL, BUSINESS_PHONE, MOBILE_PHONE, CONTACT_PAYLOAD],
        example: "contact_id = \"620000001\", company = \"Example\"",
        output: Output::Record(CONTACT),
        ..BASE
    },
    Tool {
        name: "delete_contact",
        title: "Delete Contact",
        description: "Delete a contact from the authenticated RingCentral extension's personal address book.",
        operation: Operation::Write,
        method: Method::Delete,
        path: "/restapi/v1.0/account/~/extension/~/address-book/contact/{contact_id}",
        params: &[CONTACT_ID],
        example: "contact_id = \"620000002\"",
        output: Output::Done,
        ..BASE
    },
    Tool {
        name: "get_account",
        title: "Get Account",
        description: "Get RingCentral account metadata for the authenticated token.",
        path: "/restapi/v1.0/account/~",
        output: Output::Record(ACCOUNT),
        ..BASE
    },
    Tool {
        name: "list_extensions",
        title: "List Extensions",
        description: "List users and extensions in the RingCentral account with optional type/status filters and pagination.",
        path: "/restapi/v1.0/account/~/extension",
        params: &[
            // The API calls this filter `type`.
            filter(
                "extensionType",
                "Filter by extension type such as User, Department, or Announcement.",
                "type",
                EXTENSION_TYPES,
            ),
            filter("status", "Filter by extension status.", "status", EXTENSION_STATUSES),
            RECORDS_PER_PAGE,
            PAGE_NUMBER,
        ],
        example: "extensionType = \"User\", perPage = 50",
        output: Output::Page(EXTENSION),
        ..BASE
    },
    Tool {
        name: "get_extension",
        title: "Get Extension",
        description: "Get details for a RingCentral extension by extension ID.",
        path: "/restapi/v1.0/account/~/extension/{extension_id}",
        params: &[required("extension_id", Kind::Id, "RingCentral extension ID.", Place::Path)],
        example: "extension_id = \"123456789\"",
        output: Output::Record(EXTENSION),
        ..BASE
    },
    Tool {
        name: "list_account_phone_numbers",
        title: "List Account Phone Numbers",
        description: "List RingCentral account phone numbers, including usage type, phone number type, and assignment metadata.",
        path: "/restapi/v1.0/account/~/phone-number",
        params: &[
            filter(
                "usageType",
                "Filter by usage type such as MainCompanyNumber or DirectNumber.",
                "usageType",
                USAGE_TYPES,
            ),
            filter("status", "Filter by phone number status.", "status", NUMBER_STATUSES),
            RECORDS_PER_PAGE,
            PAGE_NUMBER,
        ],
        example: "usageType = \"DirectNumber\"",
        output: Output::Page(PHONE_NUMBER),
        ..BASE
    },
    Tool {
        name: "list_extension_phone_numbers",
        title: "List Extension Phone Numbers",
        description: "List phone numbers assigned to the authenticated RingCentral extension.",
        path: "/restapi/v1.0/account/~/extension/~/phone-number",
        params: &[
            filter("usageType", "Filter by usage type.", "usageType", USAGE_TYPES),
            RECORDS_PER_PAGE,
            PAGE_NUMBER,
        ],
        example: "usageType = \"DirectNumber\"",
        output: Output::Page(PHONE_NUMBER),
        ..BASE
    },
    Tool {
        name: "get_presence",
        title: "Get Presence",
        description: "Get presence for the authenticated RingCentral extension, including telephony status and user status when available.",
        path: "/restapi/v1.0/account/~/extension/~/presence",
        params: &[param(
            "detailedTelephonyState",
            Kind::Boolean,
            "Request detailed telephony state when supported.",
            Place::Query("detailedTelephonyState"),
        )],
        example: "detailedTelephonyState = true",
        output: Output::Record(PRESENCE),
        ..BASE
    },
    Tool {
        name: "get_current_user",
        title: "Get Current User",
        description: "Get information about the currently authenticated RingCentral extension. Returns extension ID, name, status, phone numbers, and account details.",
        path: "/restapi/v1.0/account/~/extension/~",
        output: Output::Record(EXTENSION),
        ..BASE
    },
    Tool {
        name: "api_get",
        title: "API GET",
        description: "Call a relative RingCentral REST API GET path, such as \"/restapi/v1.0/account/~\". Absolute URLs are rejected.",
        params: &[API_PATH, param("params", Kind::Object, "Query parameters.", Place::QueryObject)],
        example: "path = \"/restapi/v1.0/account/~/extension/~\"",
        ..BASE
    },
    Tool {
        name: "api_post",
        title: "API POST",
        description: "Call a relative RingCentral REST API POST path with a JSON body. Absolute URLs are rejected.",
        operation: Operation::Write,
        method: Method::Post,
        params: &[API_PATH, param("payload", Kind::Object, "JSON request body.", Place::Payload)],
        example: "path = \"/restapi/v1.0/account/~/extension/~/address-book/contact\", payload = {firstName = \"Grace\", lastName = \"Hopper\"}",
        ..BASE
    },
    Tool {
        name: "api_put",
        title: "API PUT",
        description: "Call a relative RingCentral REST API PUT path with a JSON body. Absolute URLs are rejected.",
        operation: Operation::Write,
        method: Method::Put,
        params: &[API_PATH, param("payload", Kind::Object, "JSON request body.", Place::Payload)],
        example: "path = \"/restapi/v1.0/account/~/extension/~/message-store/1234567890\", payload = {readStatus = \"Unread\"}",
        ..BASE
    },
    Tool {
        name: "api_delete",
        title: "API DELETE",
        description: "Call a relative RingCentral REST API DELETE path. Absolute URLs are rejected.",
        operation: Operation::Write,
        method: Method::Delete,
        params: &[API_PATH, param("payload", Kind::Object, "Optional JSON body.", Place::Payload)],
        example: "path = \"/restapi/v1.0/account/~/extension/~/address-book/contact/620000003\"",
        ..BASE
    },
    // Beyond the seed's 24: message sync, media, fax and MMS, RingOut (issue 18).
    Tool {
        name: "sync_messages",
        title: "Sync Messages",
        description: "Synchronize the message store: without syncToken a full sync (the latest records and a token), with it an incremental one (only what changed since). Returns records and syncInfo.syncToken for the next call.",
        path: MESSAGE_SYNC,
        params: &[
            SYNC_TOKEN,
            SYNC_MESSAGE_TYPE,
            param(
                "recordCount",
                Kind::Integer { min: 1, max: 250 },
                "Full sync only: at most this many records (1 to 250).",
                Place::Query("recordCount"),
            ),
        ],
        example: "messageType = \"SMS\", recordCount = 10",
        output: Output::Sync(MESSAGE),
        ..BASE
    },
    Tool {
        name: "wait_for_reply",
        title: "Wait For Reply",
        description: "Wait for an inbound message (from one number if given), polling incremental message syncs every 2 seconds for at most timeout seconds. Returns {records, syncToken, timedOut}; pass syncToken on to continue from where a sync left off.",
        path: MESSAGE_SYNC,
        params: &[
            param(
                "from",
                Kind::Phone { plus: true },
                "Only a message from this phone number counts (E.164).",
                Place::Local,
            ),
            param(
                "timeout",
                Kind::Integer { min: 1, max: 25 },
                "Seconds to wait (default 20, at most 25: a tool call's limit is 30).",
                Place::Local,
            ),
            SYNC_TOKEN,
            SYNC_MESSAGE_TYPE,
        ],
        example: "from = \"+16505559876\", timeout = 1, syncToken = app.integrations.ringcentral.sync_messages({recordCount = 1}).syncInfo.syncToken",
        run: Run::WaitForReply,
        output: Output::Replies(MESSAGE),
        ..BASE
    },
    Tool {
        name: "get_message_content",
        title: "Get Message Content",
        description: "Get a message attachment's content: a voicemail's audio, a fax's PDF, an MMS picture or an SMS text. With save_to the host saves it to that file (relative to the working directory) and returns {path, contentType, size}; without it the result is {contentType, size, contentBase64}.",
        path: "/restapi/v1.0/account/~/extension/~/message-store/{message_id}/content/{attachment_id}",
        params: &[
            MESSAGE_ID,
            required("attachment_id", Kind::Id, "Attachment ID (the message's attachments[].id).", Place::Path),
            SAVE_TO,
            OVERWRITE,
        ],
        example: "message_id = \"9007199254741620\", attachment_id = \"9007199254741620\", save_to = \"voicemail.mp3\", overwrite = true",
        run: Run::Media,
        output: Output::Media,
        ..BASE
    },
    Tool {
        name: "get_call_recording",
        title: "Get Call Recording",
        description: "Get a call recording's audio (a call log record's recording.id). With save_to the host saves it to that file (relative to the working directory) and returns {path, contentType, size}; without it the result is {contentType, size, contentBase64}.",
        path: "/restapi/v1.0/account/~/recording/{recording_id}/content",
        params: &[required("recording_id", Kind::Id, "Call recording ID.", Place::Path), SAVE_TO, OVERWRITE],
        example: "recording_id = \"9143748323\", save_to = \"call.mp3\", overwrite = true",
        run: Run::Media,
        output: Output::Media,
        ..BASE
    },
    Tool {
        name: "send_fax",
        title: "Send Fax",
        description: "Send a fax of local files (PDF, TIFF, images, text) as one multipart/form-data request. The host reads the files; returns the fax message record (type \"Fax\").",
        operation: Operation::Write,
        method: Method::Post,
        path: "/restapi/v1.0/account/~/extension/~/fax",
        params: &[
            required(
                "to",
                Kind::Phone { plus: true },
                "The fax number to send to (E.164).",
                Place::Body("to", Shape::PhoneNumberList),
            ),
            required(
                "attachments",
                Kind::LocalFiles { max: 10 },
                "Paths of local files to fax, relative to the working directory.",
                Place::Body("attachment", Shape::Plain),
            ),
            param("faxResolution", Kind::String, "High or Low.", Place::Body("faxResolution", Shape::Plain))
                .with(Choices { values: &["High", "Low"], aliases: &[], multiple: false }),
            param(
                "coverPageText",
                Kind::Text { max: 1024 },
                "Text for the cover page.",
                Place::Body("coverPageText", Shape::Plain),
            ),
        ],
        example: "to = \"+16505559876\", attachments = {\"invoice.pdf\"}, faxResolution = \"High\"",
        output: Output::Record(MESSAGE),
        ..BASE
    },
    Tool {
        name: "send_mms",
        title: "Send MMS",
        description: "Send an MMS (pictures or other media from local files, with optional text) as one multipart/form-data request. The host reads the files; returns the message record.",
        operation: Operation::Write,
        method: Method::Post,
        path: "/restapi/v1.0/account/~/extension/~/mms",
        params: &[
            required(
                "from",
                Kind::Phone { plus: true },
                "The extension's number to send from (E.164).",
                Place::Body("from", Shape::PhoneNumber),
            ),
            required(
                "to",
                Kind::Phone { plus: true },
                "The destination phone number (E.164).",
                Place::Body("to", Shape::PhoneNumberList),
            ),
            param("text", Kind::Text { max: 1000 }, "Text sent with the media.", Place::Body("text", Shape::Plain)),
            required(
                "attachments",
                Kind::LocalFiles { max: 10 },
                "Paths of local media files, relative to the working directory.",
                Place::Body("attachments", Shape::Plain),
            ),
        ],
        example: "from = \"+16505550101\", to = \"+16505559876\", text = \"The map\", attachments = {\"map.gif\"}",
        output: Output::Record(MESSAGE),
        ..BASE
    },
    Tool {
        name: "ring_out",
        title: "RingOut",
        description: "Place a two-legged RingOut call: RingCentral first calls from, then connects to. Returns the call's id and status.",
        operation: Operation::Write,
        method: Method::Post,
        path: RING_OUT,
        params: &[
            required(
                "from",
                Kind::Phone { plus: true },
                "The number to ring first (yours).",
                Place::Body("from", Shape::PhoneNumber),
            ),
            required(
                "to",
                Kind::Phone { plus: true },
                "The number to connect to.",
                Place::Body("to", Shape::PhoneNumber),
            ),
            param(
                "callerId",
                Kind::Phone { plus: true },
                "The number the called party sees.",
                Place::Body("callerId", Shape::PhoneNumber),
            ),
            param(
                "playPrompt",
                Kind::Boolean,
                "Play a prompt to from before connecting.",
                Place::Body("playPrompt", Shape::Plain),
            ),
        ],
        example: "from = \"+16505551234\", to = \"+16505559876\", playPrompt = false",
        output: Output::Record(RING_OUT_CALL),
        ..BASE
    },
    Tool {
        name: "get_ring_out_status",
        title: "Get RingOut Status",
        description: "Get the status of a RingOut call: callStatus, callerStatus and calleeStatus.",
        path: "/restapi/v1.0/account/~/extension/~/ring-out/{ringout_id}",
        params: &[RINGOUT_ID],
        example: "ringout_id = app.integrations.ringcentral.ring_out({from = \"+16505551234\", to = \"+16505550142\"}).id",
        output: Output::Record(RING_OUT_CALL),
        ..BASE
    },
    Tool {
        name: "cancel_ring_out",
        title: "Cancel RingOut",
        description: "Cancel a RingOut call that is still ringing.",
        operation: Operation::Write,
        method: Method::Delete,
        path: "/restapi/v1.0/account/~/extension/~/ring-out/{ringout_id}",
        params: &[RINGOUT_ID],
        example: "ringout_id = app.integrations.ringcentral.ring_out({from = \"+16505551234\", to = \"+16505550143\"}).id",
        output: Output::Done,
        ..BASE
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_and_parameter_names_are_unique() {
        assert!(!TOOLS.is_empty());
        for (i, tool) in TOOLS.iter().enumerate() {
            assert!(TOOLS[..i].iter().all(|t| t.name != tool.name), "{} twice", tool.name);
            for (j, p) in tool.params.iter().enumerate() {
                assert!(tool.params[..j].iter().all(|q| q.name != p.name), "{}.{} twice", tool.name, p.name);
            }
        }
    }

    #[test]
    fn path_parameters_match_their_templates() {
        for tool in TOOLS {
            let in_path: Vec<&str> = tool.params.iter().filter(|p| p.place == Place::Path).map(|p| p.name).collect();
            let holes = tool.path.matches('{').count();
            assert_eq!(holes, in_path.len(), "{}", tool.name);
            for name in in_path {
                assert!(tool.path.contains(&format!("{{{name}}}")), "{}: {{{name}}}", tool.name);
            }
            assert_eq!(tool.path.is_empty(), tool.name.starts_with("api_"), "{}", tool.name);
        }
    }

    #[test]
    fn exclusive_pairs_name_real_parameters() {
        for tool in TOOLS {
            for (a, b) in tool.exclusive {
                assert!(tool.param(a).is_some() && tool.param(b).is_some(), "{}: {a}/{b}", tool.name);
            }
        }
    }
}
