//! The simulated account's data and the lookups every resource shares.

use crate::errors::ApiError;
use crate::records::call::CallRecord;
use crate::records::contact::Contact;
use crate::records::directory::{Account, Extension, PhoneNumber, UsageType};
use crate::records::message::Message;

/// `~` in a path: the account or extension of the session.
const CURRENT: &str = "~";

#[derive(Debug)]
pub struct Store {
    pub account: Account,
    pub extensions: Vec<Extension>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub messages: Vec<Message>,
    pub calls: Vec<CallRecord>,
    pub contacts: Vec<Contact>,
    /// The extension every accepted token logs in as.
    pub session_owner: u64,
    pub next_message_id: u64,
    pub next_contact_id: u64,
    /// The content of attachments uploaded with a fax or an MMS, by attachment id.
    pub uploads: std::collections::HashMap<u64, Vec<u8>>,
    pub ring_outs: Vec<crate::records::ring_out::RingOut>,
    pub next_ring_out_id: u64,
}

impl Store {
    /// Resolves `{accountId}`: `~` or the account's own id.
    pub fn account(&self, account_id: &str) -> Result<&Account, ApiError> {
        if account_id == CURRENT || account_id == self.account.id.to_string() {
            Ok(&self.account)
        } else {
            Err(ApiError::not_found("accountId"))
        }
    }

    /// Resolves `{accountId}/extension/{extensionId}`: `~` or a real extension id.
    pub fn extension(&self, account_id: &str, extension_id: &str) -> Result<&Extension, ApiError> {
        self.account(account_id)?;
        let wanted = if extension_id == CURRENT { Some(self.session_owner) } else { extension_id.parse().ok() };
        wanted.and_then(|id| self.extension_by_id(id)).ok_or_else(|| ApiError::not_found("extensionId"))
    }

    pub fn extension_by_id(&self, id: u64) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.id == id)
    }

    /// The numbers an extension can use: its own, plus the company main number for users.
    pub fn numbers_of<'a>(&'a self, extension: &'a Extension) -> impl Iterator<Item = &'a PhoneNumber> {
        self.phone_numbers.iter().filter(move |n| {
            n.extension == Some(extension.id) || (extension.is_user() && n.usage_type == UsageType::MainCompanyNumber)
        })
    }

    /// Index of a message in `owner`'s store.
    fn message_index(&self, owner: u64, id: u64) -> Result<usize, ApiError> {
        self.messages
            .iter()
            .position(|m| m.owner == owner && m.id == id)
            .ok_or_else(|| ApiError::not_found("messageId"))
    }

    pub fn message(&self, owner: u64, id: u64) -> Result<&Message, ApiError> {
        self.message_index(owner, id).map(|i| &self.messages[i])
    }

    pub fn message_mut(&mut self, owner: u64, id: u64) -> Result<&mut Message, ApiError> {
        self.message_index(owner, id).map(|i| &mut self.messages[i])
    }

    /// Index of a contact in `owner`'s address book.
    pub fn contact_index(&self, owner: u64, id: u64) -> Result<usize, ApiError> {
        self.contacts
            .iter()
            .position(|c| c.owner == owner && c.id == id)
            .ok_or_else(|| ApiError::not_found("contactId"))
    }
}
