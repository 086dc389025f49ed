//! Sample files for the tools that send files (`send_fax`, `send_mms`): every
//! [`crate::Bench`] runs `kosmo` in a directory that holds them, under the names
//! the docs examples use.

use std::path::Path;

/// A one-page PDF.
pub const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A 1x1 GIF (with bytes that are not UTF-8).
pub const SAMPLE_GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// Writes `invoice.pdf` and `map.gif` into `dir`.
pub fn write_samples(dir: &Path) {
    std::fs::write(dir.join("invoice.pdf"), SAMPLE_PDF).expect("write invoice.pdf");
    std::fs::write(dir.join("map.gif"), SAMPLE_GIF).expect("write map.gif");
}
