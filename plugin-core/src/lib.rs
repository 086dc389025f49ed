//! The RingCentral integration's logic, free of any host binding: the tool
//! table and everything it drives. The plugin (`plugin/`) wraps it in the WIT
//! world; this crate also builds natively, so its rules are unit-tested and the
//! end-to-end tests can read the table.

pub mod base64;
pub mod docs;
pub mod media;
pub mod multipart;
pub mod phone;
pub mod request;
pub mod response;
pub mod schema;
pub mod tools;
pub mod wait;

#[cfg(test)]
mod tests;
