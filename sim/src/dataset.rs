//! The seeded dataset: one account with its directory (fixed, so tests can name it)
//! and three months of messages and calls ending at the start time (drawn from the
//! seed, so the same seed and start time always give the same data).
//!
//! The account also holds the records the seed reference's examples name
//! (extension `123456789`, message `1234567890`, the sender `+16505551234`), so
//! those examples run unchanged against the simulator.

use jiff::{SignedDuration, Timestamp};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::records::Direction;
use crate::records::call::{CallParty, CallRecord, CallType, Recording};
use crate::records::contact::{Address, Contact, ContactFields};
use crate::records::directory::{
    Account, ActiveCall, Extension, ExtensionContact, ExtensionStatus, ExtensionType, NumberFeature, NumberStatus,
    NumberType, PaymentType, PhoneNumber, UsageType,
};
use crate::records::message::{
    self, Attachment, Availability, Conversation, FIRST_MESSAGE_ID, Message, MessageStatus, MessageType, Party,
    ReadStatus,
};
use crate::store::Store;

pub const ACCOUNT_ID: u64 = 400_131_868_004;
const COMPANY: &str = "Kosmo Demo Inc.";
const FIRST_CONTACT_ID: u64 = 620_000_001;

/// How far back the seeded activity reaches, and how much of it falls in the last day
/// (the default window of the message store and the call log).
const HISTORY_DAYS: i64 = 90;
const RECENT_MESSAGES: usize = 8;
const MESSAGES: usize = 40;

struct Staff {
    id: u64,
    number: &'static str,
    first_name: &'static str,
    last_name: Option<&'static str>,
    kind: ExtensionType,
    status: ExtensionStatus,
    /// Calls in this extension's log, and how many of them fall in the last day.
    calls: (usize, usize),
}

const CURRENT_USER: u64 = 400_131_869_004;
const SECOND_USER: u64 = 400_131_870_004;
const SALES: u64 = 400_131_872_004;

const STAFF: [Staff; 4] = [
    Staff {
        id: CURRENT_USER,
        number: "101",
        first_name: "Jordan",
        last_name: Some("Reyes"),
        kind: ExtensionType::User,
        status: ExtensionStatus::Enabled,
        calls: (40, 8),
    },
    Staff {
        id: SECOND_USER,
        number: "102",
        first_name: "Priya",
        last_name: Some("Natarajan"),
        kind: ExtensionType::User,
        status: ExtensionStatus::Enabled,
        calls: (10, 3),
    },
    Staff {
        id: 400_131_871_004,
        number: "103",
        first_name: "Sam",
        last_name: Some("Okafor"),
        kind: ExtensionType::User,
        status: ExtensionStatus::NotActivated,
        calls: (0, 0),
    },
    Staff {
        id: SALES,
        number: "201",
        first_name: "Sales",
        last_name: None,
        kind: ExtensionType::Department,
        status: ExtensionStatus::Enabled,
        calls: (6, 2),
    },
];

/// The extension the seed's `get_extension` example reads; made after everything
/// else so the seeded random data does not move.
const SEED_EXTENSION: Staff = Staff {
    id: 123_456_789,
    number: "202",
    first_name: "Support",
    last_name: None,
    kind: ExtensionType::Department,
    status: ExtensionStatus::Enabled,
    calls: (0, 0),
};
/// The message the seed's `get_message`/`update_message` examples name.
const SEED_MESSAGE_ID: u64 = 1_234_567_890;
/// The seed's `send_sms` sender (one of the current user's numbers) and recipient.
const SEED_SENDER: &str = "+16505551234";
const SEED_RECIPIENT: &str = "+16505559876";

const MAIN_NUMBER: &str = "+16505550100";
const SMS_NUMBER: &str = "+16505550101";
const FAX_NUMBER: &str = "+16505550109";

const fn number(
    id: u64,
    phone_number: &'static str,
    usage_type: UsageType,
    kind: NumberType,
    features: &'static [NumberFeature],
    extension: Option<u64>,
) -> PhoneNumber {
    PhoneNumber {
        id,
        phone_number,
        location: "San Mateo, CA",
        payment_type: PaymentType::Local,
        kind,
        usage_type,
        status: NumberStatus::Normal,
        features,
        extension,
        primary: false,
    }
}

const CALLER_ID: &[NumberFeature] = &[NumberFeature::CallerId];
const SMS_CALLER_ID: &[NumberFeature] = &[NumberFeature::SmsSender, NumberFeature::CallerId];

const PHONE_NUMBERS: [PhoneNumber; 8] = [
    number(411_000_100, MAIN_NUMBER, UsageType::MainCompanyNumber, NumberType::VoiceFax, CALLER_ID, None),
    PhoneNumber {
        location: "Toll Free",
        payment_type: PaymentType::TollFree,
        ..number(411_000_800, "+18885550100", UsageType::CompanyNumber, NumberType::VoiceOnly, CALLER_ID, None)
    },
    PhoneNumber {
        primary: true,
        features: &[NumberFeature::SmsSender, NumberFeature::CallerId, NumberFeature::MmsSender],
        ..number(411_000_101, SMS_NUMBER, UsageType::DirectNumber, NumberType::VoiceFax, &[], Some(CURRENT_USER))
    },
    number(411_000_109, FAX_NUMBER, UsageType::DirectNumber, NumberType::FaxOnly, CALLER_ID, Some(CURRENT_USER)),
    PhoneNumber {
        primary: true,
        ..number(
            411_000_102,
            "+16505550102",
            UsageType::DirectNumber,
            NumberType::VoiceFax,
            SMS_CALLER_ID,
            Some(SECOND_USER),
        )
    },
    number(411_000_120, "+16505550120", UsageType::DirectNumber, NumberType::VoiceOnly, CALLER_ID, Some(SALES)),
    PhoneNumber {
        status: NumberStatus::Pending,
        ..number(411_000_140, "+16505550140", UsageType::AdditionalCompanyNumber, NumberType::VoiceFax, CALLER_ID, None)
    },
    number(411_000_104, SEED_SENDER, UsageType::DirectNumber, NumberType::VoiceFax, SMS_CALLER_ID, Some(CURRENT_USER)),
];

const FIRST_NAMES: [&str; 12] =
    ["Avery", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Harper", "Jamie", "Kendall", "Morgan", "Quinn", "Riley"];
const LAST_NAMES: [&str; 12] =
    ["Abbott", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Iverson", "Kim", "Lopez", "Novak"];
const AREAS: [(&str, &str); 8] = [
    ("415", "San Francisco, CA"),
    ("408", "San Jose, CA"),
    ("510", "Oakland, CA"),
    ("212", "New York, NY"),
    ("312", "Chicago, IL"),
    ("617", "Boston, MA"),
    ("206", "Seattle, WA"),
    ("303", "Denver, CO"),
];
const COMPANIES: [&str; 4] = ["Northwind Traders", "Acme Logistics", "Globex", "Initech"];
const SMS_TEXTS: [&str; 12] = [
    "Are we still on for 3pm?",
    "Running 10 minutes late, sorry!",
    "Can you send me the updated quote?",
    "Thanks, got it.",
    "Please call me back when you have a minute.",
    "The delivery is scheduled for tomorrow morning.",
    "Invoice #4821 has been paid.",
    "Could we move the meeting to Thursday?",
    "Yes, that works for me.",
    "Reminder: contract renewal is due Friday.",
    "I left the documents at the front desk.",
    "Great talking to you today!",
];

/// Someone outside the company that messages and calls involve.
struct Person {
    first_name: &'static str,
    last_name: &'static str,
    number: String,
    location: &'static str,
    /// Whether the person is in the current user's address book (and so named in records).
    is_contact: bool,
}

impl Person {
    fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    fn known_name(&self) -> Option<String> {
        self.is_contact.then(|| self.name())
    }
}

pub fn generate(seed: u64, now: Timestamp, base_url: &str) -> Store {
    let mut builder =
        Builder { rng: ChaCha8Rng::seed_from_u64(seed), now, api_root: format!("{base_url}/restapi/v1.0") };
    let account = builder.account();
    let mut extensions: Vec<Extension> = STAFF.iter().map(|staff| builder.extension(staff, &account)).collect();
    let people = builder.people();
    // STAFF[0] is the session owner: the one on a call, with messages and contacts.
    let active_call = builder.active_call(&extensions[0], &people[0]);
    extensions[0].active_calls.push(active_call);
    let mut messages = builder.messages(&extensions[0], &people);
    let contacts = builder.contacts(&extensions[0], &people);
    let calls =
        STAFF.iter().zip(&extensions).flat_map(|(staff, ext)| builder.calls(ext, staff.calls, &people)).collect();
    // The seed's records come last: drawing them earlier would change the seeded data.
    messages.push(builder.seed_message(&extensions[0]));
    extensions.push(builder.extension(&SEED_EXTENSION, &account));
    let next_message_id = messages.iter().map(|m| m.id).max().unwrap_or(FIRST_MESSAGE_ID) + 1;
    let next_contact_id = FIRST_CONTACT_ID + contacts.len() as u64;
    Store {
        account,
        extensions,
        phone_numbers: PHONE_NUMBERS.to_vec(),
        messages,
        calls,
        contacts,
        session_owner: CURRENT_USER,
        next_message_id,
        next_contact_id,
        uploads: Default::default(),
        ring_outs: Vec::new(),
        next_ring_out_id: 8_800_000_001,
    }
}

fn own_number(extension: &Extension) -> &'static str {
    PHONE_NUMBERS
        .iter()
        .find(|n| n.extension == Some(extension.id) && n.kind != NumberType::FaxOnly)
        .map_or(MAIN_NUMBER, |n| n.phone_number)
}

struct Builder {
    rng: ChaCha8Rng,
    now: Timestamp,
    api_root: String,
}

impl Builder {
    /// One of a fixed, non-empty table.
    fn pick<T: Copy>(&mut self, table: &[T]) -> T {
        table[self.rng.random_range(0..table.len())]
    }

    fn ago(&self, seconds: i64) -> Timestamp {
        self.now.checked_sub(SignedDuration::from_secs(seconds)).unwrap_or(self.now)
    }

    /// Times for `count` events, `recent` of them within the last day, oldest first.
    fn timeline(&mut self, count: usize, recent: usize) -> Vec<Timestamp> {
        let day = 24 * 3600;
        let mut offsets: Vec<i64> = (0..count)
            .map(|i| {
                if i < recent {
                    self.rng.random_range(120..day - 600)
                } else {
                    self.rng.random_range(day + 3600..HISTORY_DAYS * day)
                }
            })
            .collect();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        offsets
            .into_iter()
            .map(|seconds| {
                let millis = self.rng.random_range(0..1000);
                self.ago(seconds).checked_add(SignedDuration::from_millis(millis)).unwrap_or(self.now)
            })
            .collect()
    }

    fn account(&mut self) -> Account {
        Account {
            id: ACCOUNT_ID,
            uri: format!("{}/account/{ACCOUNT_ID}", self.api_root),
            api_root: self.api_root.clone(),
            main_number: MAIN_NUMBER.to_owned(),
            operator_id: CURRENT_USER,
            created: self.ago(400 * 24 * 3600),
        }
    }

    fn extension(&mut self, staff: &Staff, account: &Account) -> Extension {
        let name = match staff.last_name {
            Some(last) => format!("{} {last}", staff.first_name),
            None => staff.first_name.to_owned(),
        };
        let email = format!("{}@kosmo-demo.example", name.to_lowercase().replace(' ', "."));
        let days = self.rng.random_range(100..400);
        Extension {
            id: staff.id,
            uri: format!("{}/extension/{}", account.uri, staff.id),
            extension_number: staff.number.to_owned(),
            name,
            kind: staff.kind,
            status: staff.status,
            contact: ExtensionContact {
                first_name: staff.first_name.to_owned(),
                last_name: staff.last_name.map(str::to_owned),
                company: COMPANY.to_owned(),
                email,
                business_phone: PHONE_NUMBERS
                    .iter()
                    .find(|n| n.extension == Some(staff.id))
                    .map(|n| n.phone_number.to_owned()),
            },
            created: self.ago(days * 24 * 3600),
            active_calls: Vec::new(),
        }
    }

    fn people(&mut self) -> Vec<Person> {
        let mut first_names = FIRST_NAMES;
        first_names.shuffle(&mut self.rng);
        (0..8)
            .map(|i| {
                let (area, location) = AREAS[self.rng.random_range(0..AREAS.len())];
                // 555-0100..0199 are the numbers set aside for fiction.
                let suffix = 10 + i * 10 + self.rng.random_range(0..10);
                Person {
                    first_name: first_names[i],
                    last_name: self.pick(&LAST_NAMES),
                    number: format!("+1{area}55501{suffix:02}"),
                    location,
                    is_contact: i < 4,
                }
            })
            .collect()
    }

    fn id_string(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|i| ALPHABET[self.rng.random_range(0..if i == 0 { 52 } else { ALPHABET.len() })] as char).collect()
    }

    fn digits(&mut self, len: usize) -> String {
        (0..len).map(|i| char::from(b'0' + self.rng.random_range(u8::from(i == 0)..10))).collect()
    }

    fn telephony_session_id(&mut self) -> String {
        let hex: String = (0..30).map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap_or('0')).collect();
        format!("s-a0{hex}")
    }

    fn active_call(&mut self, callee: &Extension, caller: &Person) -> ActiveCall {
        ActiveCall {
            id: self.id_string(20),
            direction: Direction::Inbound,
            from: caller.number.clone(),
            from_name: caller.name(),
            to: own_number(callee).to_owned(),
            to_name: callee.name.clone(),
            start_time: self.ago(240),
            session_id: self.digits(12),
            telephony_session_id: self.telephony_session_id(),
        }
    }

    fn messages(&mut self, owner: &Extension, people: &[Person]) -> Vec<Message> {
        let times = self.timeline(MESSAGES, RECENT_MESSAGES);
        let mut id = FIRST_MESSAGE_ID;
        times
            .into_iter()
            .enumerate()
            .map(|(i, at)| {
                id += self.rng.random_range(1..40);
                // Index 0 is the oldest; the last RECENT_MESSAGES are within the day.
                let recent = i >= MESSAGES - RECENT_MESSAGES;
                let kind = match (i, self.rng.random_range(0..100)) {
                    (5 | 33, _) => MessageType::VoiceMail,
                    (9 | 21, _) => MessageType::Fax,
                    (_, 0..72) => MessageType::Sms,
                    (_, 72..88) => MessageType::VoiceMail,
                    _ => MessageType::Fax,
                };
                let person = &people[self.rng.random_range(0..people.len())];
                let direction = match kind {
                    MessageType::VoiceMail => Direction::Inbound,
                    _ if self.rng.random_bool(0.5) => Direction::Inbound,
                    _ => Direction::Outbound,
                };
                let unread_odds = if recent { 0.6 } else { 0.2 };
                let read_status = if direction == Direction::Inbound && self.rng.random_bool(unread_odds) {
                    ReadStatus::Unread
                } else {
                    ReadStatus::Read
                };
                let availability = if matches!(i, 11 | 24) { Availability::Deleted } else { Availability::Alive };
                let mut record = self.message(owner, id, kind, direction, person, at);
                record.read_status = read_status;
                record.availability = availability;
                record
            })
            .collect()
    }

    fn message(
        &mut self,
        owner: &Extension,
        id: u64,
        kind: MessageType,
        direction: Direction,
        person: &Person,
        at: Timestamp,
    ) -> Message {
        let uri = format!("{}/message-store/{id}", owner.uri);
        let our_number = if kind == MessageType::Fax { FAX_NUMBER } else { SMS_NUMBER };
        let ours = Party {
            phone_number: our_number.to_owned(),
            name: Some(owner.name.clone()),
            location: Some("San Mateo, CA".to_owned()),
            ..Party::default()
        };
        let theirs = Party {
            phone_number: person.number.clone(),
            name: person.known_name(),
            location: Some(person.location.to_owned()),
            ..Party::default()
        };
        let (from, to, message_status) = match direction {
            Direction::Inbound => (theirs, ours, MessageStatus::Received),
            Direction::Outbound => {
                let status = if kind == MessageType::Sms { MessageStatus::Delivered } else { MessageStatus::Sent };
                (ours, Party { message_status: Some(status), ..theirs }, status)
            }
        };
        let (attachment_kind, content_type, subject) = match kind {
            MessageType::Sms | MessageType::Pager => ("Text", "text/plain", Some(self.pick(&SMS_TEXTS).to_owned())),
            MessageType::VoiceMail => {
                ("AudioRecording", "audio/mpeg", Some(format!("Voice message from {}", person.name())))
            }
            MessageType::Fax => ("RenderedDocument", "application/pdf", None),
        };
        let attachment = Attachment {
            id,
            uri: format!("{uri}/content/{id}"),
            kind: attachment_kind,
            content_type,
            vm_duration: (kind == MessageType::VoiceMail).then(|| self.rng.random_range(5..90)),
        };
        let conversation_id = (kind == MessageType::Sms).then(|| message::conversation_id(&person.number));
        Message {
            owner: owner.id,
            uri,
            id,
            extension_id: owner.id.to_string(),
            to: vec![to],
            from,
            kind,
            creation_time: at,
            read_status: ReadStatus::Read,
            priority: "Normal",
            attachments: vec![attachment],
            direction,
            availability: Availability::Alive,
            subject,
            message_status,
            sms_sending_attempts_count: (kind == MessageType::Sms && direction == Direction::Outbound).then_some(1),
            conversation_id,
            conversation: conversation_id
                .map(|cid| Conversation { id: cid.to_string(), uri: format!("{}/conversation/{cid}", self.api_root) }),
            fax_page_count: (kind == MessageType::Fax).then(|| self.rng.random_range(1..7)),
            fax_resolution: (kind == MessageType::Fax).then_some("High"),
            vm_transcription_status: (kind == MessageType::VoiceMail).then_some("NotAvailable"),
            last_modified_time: at,
        }
    }

    /// An old inbound SMS, outside the default 24-hour window, with the seed's id.
    fn seed_message(&mut self, owner: &Extension) -> Message {
        let sender = Person {
            first_name: "Ada",
            last_name: "Lovelace",
            number: SEED_RECIPIENT.to_owned(),
            location: "Palo Alto, CA",
            is_contact: false,
        };
        let at = self.ago(45 * 24 * 3600);
        let mut record = self.message(owner, SEED_MESSAGE_ID, MessageType::Sms, Direction::Inbound, &sender, at);
        record.to[0].phone_number = SEED_SENDER.to_owned();
        record.read_status = ReadStatus::Unread;
        record
    }

    fn calls(&mut self, owner: &Extension, (count, recent): (usize, usize), people: &[Person]) -> Vec<CallRecord> {
        let times = self.timeline(count, recent);
        times
            .into_iter()
            .enumerate()
            .map(|(i, at)| {
                let kind = if i % 9 == 4 { CallType::Fax } else { CallType::Voice };
                let direction = if self.rng.random_bool(0.55) { Direction::Inbound } else { Direction::Outbound };
                let person = &people[self.rng.random_range(0..people.len())];
                self.call(owner, kind, direction, person, at)
            })
            .collect()
    }

    fn call(
        &mut self,
        owner: &Extension,
        kind: CallType,
        direction: Direction,
        person: &Person,
        at: Timestamp,
    ) -> CallRecord {
        let roll = self.rng.random_range(0..100);
        let (action, result, seconds) = match (kind, direction) {
            (CallType::Fax, Direction::Inbound) => ("Incoming Fax", "Received", self.rng.random_range(30..120)),
            (CallType::Fax, Direction::Outbound) => ("Outgoing Fax", "Sent", self.rng.random_range(30..120)),
            (CallType::Voice, Direction::Inbound) => match roll {
                0..60 => ("Phone Call", "Accepted", self.rng.random_range(30..1800)),
                60..85 => ("Phone Call", "Missed", 0),
                _ => ("Phone Call", "Voicemail", self.rng.random_range(10..90)),
            },
            (CallType::Voice, Direction::Outbound) => match roll {
                0..80 => ("VoIP Call", "Call connected", self.rng.random_range(30..1800)),
                80..90 => ("VoIP Call", "No Answer", self.rng.random_range(20..40)),
                _ => ("VoIP Call", "Busy", self.rng.random_range(1..5)),
            },
        };
        let ours = CallParty {
            phone_number: Some(own_number(owner).to_owned()),
            extension_number: Some(owner.extension_number.clone()),
            extension_id: Some(owner.id.to_string()),
            name: Some(owner.name.clone()),
            ..CallParty::default()
        };
        let theirs = CallParty {
            phone_number: Some(person.number.clone()),
            name: person.known_name(),
            location: Some(person.location.to_owned()),
            ..CallParty::default()
        };
        let (from, to) = match direction {
            Direction::Inbound => (theirs, ours),
            Direction::Outbound => (ours, theirs),
        };
        let recorded = matches!(result, "Accepted" | "Call connected") && self.rng.random_bool(0.25);
        let recording = recorded.then(|| {
            let id = self.digits(10);
            let uri = format!("{}/account/{ACCOUNT_ID}/recording/{id}", self.api_root);
            Recording { content_uri: format!("{uri}/content"), uri, id, kind: "Automatic" }
        });
        CallRecord {
            owner: owner.id,
            id: self.id_string(15),
            session_id: self.digits(12),
            telephony_session_id: self.telephony_session_id(),
            start_time: at,
            duration_ms: seconds * 1000 + self.rng.random_range(0..1000),
            kind,
            direction,
            action,
            result,
            transport: if action == "VoIP Call" { "VoIP" } else { "PSTN" },
            from,
            to,
            recording,
        }
    }

    fn contacts(&mut self, owner: &Extension, people: &[Person]) -> Vec<Contact> {
        people
            .iter()
            .filter(|p| p.is_contact)
            .zip(FIRST_CONTACT_ID..)
            .map(|(person, id)| {
                let company = self.pick(&COMPANIES);
                let fields = ContactFields {
                    first_name: Some(person.first_name.to_owned()),
                    last_name: Some(person.last_name.to_owned()),
                    company: Some(company.to_owned()),
                    email: Some(format!("{}.{}@example.com", person.first_name, person.last_name).to_lowercase()),
                    mobile_phone: Some(person.number.clone()),
                    business_address: self.rng.random_bool(0.5).then(|| Address {
                        city: Some(person.location.split(", ").next().unwrap_or_default().to_owned()),
                        state: person.location.split(", ").nth(1).map(str::to_owned),
                        country: Some("US".to_owned()),
                        ..Address::default()
                    }),
                    ..ContactFields::default()
                };
                Contact {
                    owner: owner.id,
                    uri: format!("{}/address-book/contact/{id}", owner.uri),
                    availability: "Alive",
                    id,
                    fields,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn same_seed_same_data() {
        let a = generate(7, now(), "http://x");
        let b = generate(7, now(), "http://x");
        let json = |s: &Store| serde_json::to_string(&s.messages).unwrap();
        assert_eq!(json(&a), json(&b));
        assert_eq!(
            a.calls.iter().map(|c| &c.id).collect::<Vec<_>>(),
            b.calls.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        assert_ne!(json(&a), json(&generate(8, now(), "http://x")));
    }

    #[test]
    fn the_seed_examples_records_exist() {
        let store = generate(42, now(), "http://x");
        let me = store.extension("~", "~").unwrap();
        assert!(store.numbers_of(me).any(|n| n.phone_number == SEED_SENDER && n.has_feature(NumberFeature::SmsSender)));
        assert_eq!(store.extension("~", "123456789").unwrap().extension_number, "202");
        let message = store.messages.iter().find(|m| m.id == SEED_MESSAGE_ID).unwrap();
        assert_eq!(message.owner, me.id);
        assert!(message.creation_time < now().checked_sub(SignedDuration::from_hours(24)).unwrap());
    }

    #[test]
    fn recent_activity_and_big_ids() {
        let store = generate(42, now(), "http://x");
        let day_ago = now().checked_sub(SignedDuration::from_hours(24)).unwrap();
        assert_eq!(store.messages.len(), MESSAGES + 1);
        assert!(store.messages.iter().filter(|m| m.creation_time > day_ago).count() >= 5);
        assert!(store.messages.iter().filter(|m| m.id != SEED_MESSAGE_ID).all(|m| m.id > 1 << 53));
        let mine = store.calls.iter().filter(|c| c.owner == CURRENT_USER);
        assert!(mine.filter(|c| c.start_time > day_ago).count() >= 5);
        for kind in [MessageType::Sms, MessageType::Fax, MessageType::VoiceMail] {
            assert!(store.messages.iter().any(|m| m.kind == kind), "{kind:?} missing");
        }
    }
}
