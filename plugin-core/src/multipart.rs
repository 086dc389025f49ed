//! `multipart/form-data` bodies for the tools that send files (`send_fax`, `send_mms`), as
//! RingCentral's OpenAPI description has them: one part per field, objects and arrays as
//! `application/json`, text as a plain form value, and each file a part of its own under the
//! field's name, with its file name and content type.

use serde_json::{Map, Value};

pub struct Body {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `fields` as a form; the fields named in `file_fields` hold the host's
/// `{filename, contentType, contentBase64}` objects.
pub fn encode(fields: &Map<String, Value>, file_fields: &[&str]) -> Result<Body, String> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, value) in fields {
        if file_fields.contains(&name.as_str()) {
            for file in value.as_array().into_iter().flatten() {
                let text = |f: &str| file.get(f).and_then(Value::as_str).unwrap_or_default();
                let bytes = crate::base64::decode(text("contentBase64"))
                    .map_err(|e| format!("the content of {} is not base64: {e}", text("filename").escape_debug()))?;
                let headers = format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\nContent-Type: {}\r\n",
                    safe_filename(text("filename")),
                    safe_content_type(text("contentType")),
                );
                parts.push((headers, bytes));
            }
        } else {
            let (content, json) = match value {
                Value::String(text) => (text.clone().into_bytes(), false),
                other => (other.to_string().into_bytes(), true),
            };
            let mut headers = format!("Content-Disposition: form-data; name=\"{name}\"\r\n");
            if json {
                headers.push_str("Content-Type: application/json\r\n");
            }
            parts.push((headers, content));
        }
    }
    let boundary = boundary_for(&parts);
    let mut bytes = Vec::new();
    for (headers, content) in &parts {
        bytes.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n").as_bytes());
        bytes.extend_from_slice(content);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Body { content_type: format!("multipart/form-data; boundary={boundary}"), bytes })
}

/// A boundary that occurs in no part (RFC 2046 §5.1.1).
fn boundary_for(parts: &[(String, Vec<u8>)]) -> String {
    (0u32..)
        .map(|n| format!("kosmo-form-{n:08x}"))
        .find(|b| !parts.iter().any(|(h, c)| contains(h.as_bytes(), b.as_bytes()) || contains(c, b.as_bytes())))
        .unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A file name cannot end the quoted header value or start a new header.
fn safe_filename(name: &str) -> String {
    name.chars().map(|c| if c == '"' || c == '\\' || c.is_control() { '_' } else { c }).collect()
}

fn safe_content_type(value: &str) -> &str {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$&^_.+-/".contains(c);
    if !value.is_empty() && value.chars().all(token) { value } else { "application/octet-stream" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_boundary_avoids_the_content_and_names_cannot_break_headers() {
        // The first boundary, base64 of "--kosmo-form-00000000", inside a file.
        let first = crate::base64::encode(b"--kosmo-form-00000000");
        let fields = json!({"f": [{"filename": "a\"b\r\nX: y.gif", "contentType": "image/gif\r\nX: y", "contentBase64": first}]});
        let body = encode(fields.as_object().unwrap(), &["f"]).unwrap();
        assert_eq!(body.content_type, "multipart/form-data; boundary=kosmo-form-00000001");
        let text = String::from_utf8(body.bytes).unwrap();
        assert!(text.contains("filename=\"a_b__X: y.gif\"\r\nContent-Type: application/octet-stream\r\n"), "{text}");
        let bad = json!({"f": [{"filename": "a", "contentType": "x/y", "contentBase64": "%%%%"}]});
        assert!(encode(bad.as_object().unwrap(), &["f"]).err().unwrap().contains("not base64"));
    }
}
