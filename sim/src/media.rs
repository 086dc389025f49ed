//! What the media endpoints serve: the bytes uploaded with a fax or an MMS, or,
//! for the seeded data, content made up to fit the attachment's type (a short
//! silent MP3 for voicemails and recordings, a one-page PDF for faxes).

use crate::records::message::{Attachment, Message};

/// Four silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz), an ID3v2 tag first.
pub fn silent_mp3() -> Vec<u8> {
    let mut bytes = b"ID3\x03\x00\x00\x00\x00\x00\x00".to_vec();
    for _ in 0..4 {
        bytes.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        bytes.extend(std::iter::repeat_n(0u8, 413));
    }
    bytes
}

pub fn one_page_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
      3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        .to_vec()
}

/// The content of a seeded attachment, or `None` when its type has none made up.
pub fn seeded_content(message: &Message, attachment: &Attachment) -> Option<Vec<u8>> {
    match attachment.content_type {
        "audio/mpeg" => Some(silent_mp3()),
        "application/pdf" => Some(one_page_pdf()),
        "text/plain" => Some(message.subject.clone().unwrap_or_default().into_bytes()),
        _ => None,
    }
}

/// Attachment content types the simulator keeps as given; others are stored as
/// `application/octet-stream`.
pub fn known_content_type(given: Option<&str>) -> &'static str {
    const KNOWN: &[&str] = &[
        "application/pdf",
        "image/gif",
        "image/png",
        "image/jpeg",
        "image/tiff",
        "text/plain",
        "audio/mpeg",
        "audio/wav",
        "video/mp4",
    ];
    let given = given.unwrap_or_default().split(';').next().unwrap_or_default().trim();
    KNOWN.iter().find(|k| k.eq_ignore_ascii_case(given)).copied().unwrap_or("application/octet-stream")
}
