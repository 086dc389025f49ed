//! A tool's result as a script sees it. What a server answers is untrusted:
//! it is held to the caps of a plugin's result (values and depth; rmcp caps a
//! message at 16 MiB) before anything is built from it.
//!
//! `isError` is an error carrying the server's text; `structuredContent` is
//! the value; a single text content is its JSON when it parses, else the
//! text; any other single content (an image, a resource) is that content
//! (`type`, `mimeType`, `data`, ...); several contents are a list of them.

use serde_json::Value;

use crate::runtime::check_result_size;

pub fn normalize(result: &Value) -> Result<Value, String> {
    check_result_size(&result.to_string())?;
    let content = result.get("content").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if result.get("isError").and_then(Value::as_bool) == Some(true) {
        let texts: Vec<&str> = content.iter().filter_map(|c| c.get("text").and_then(Value::as_str)).collect();
        return Err(if texts.is_empty() {
            "the tool reported an error without a message".into()
        } else {
            texts.join("\n")
        });
    }
    if let Some(structured) = result.get("structuredContent").filter(|v| !v.is_null()) {
        return Ok(structured.clone());
    }
    match content {
        [] => Ok(Value::Null),
        [one] if one.get("type").and_then(Value::as_str) == Some("text") => {
            let text = one.get("text").and_then(Value::as_str).unwrap_or_default();
            Ok(json_text(text).unwrap_or_else(|| Value::String(text.to_string())))
        }
        [one] => Ok(one.clone()),
        many => Ok(Value::Array(many.to_vec())),
    }
}

/// The JSON a text holds, within the same caps; `None` when it is not JSON.
fn json_text(text: &str) -> Option<Value> {
    check_result_size(text).ok()?;
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::normalize;

    #[test]
    fn each_kind_of_result() {
        let text = |t: &str| json!({"content": [{"type": "text", "text": t}]});
        assert_eq!(normalize(&text("shared")), Ok(json!("shared")));
        assert_eq!(normalize(&text(r#"{"a": [1, 2]}"#)), Ok(json!({"a": [1, 2]})));
        assert_eq!(normalize(&text("42")), Ok(json!(42)));
        assert_eq!(
            normalize(&json!({"content": [{"type": "text", "text": "x"}], "structuredContent": {"n": 1}})),
            Ok(json!({"n": 1}))
        );
        let image = json!({"type": "image", "mimeType": "image/png", "data": "aGk="});
        assert_eq!(normalize(&json!({"content": [image]})), Ok(image.clone()));
        assert_eq!(
            normalize(&json!({"content": [image, {"type": "text", "text": "t"}]})),
            Ok(json!([image, {"type": "text", "text": "t"}]))
        );
        assert_eq!(normalize(&json!({"content": []})), Ok(json!(null)));
        assert_eq!(
            normalize(&json!({"content": [{"type": "text", "text": "bad"}], "isError": true})),
            Err("bad".to_string())
        );
    }

    #[test]
    fn results_past_the_caps_are_errors() {
        let mut deep = json!(1);
        for _ in 0..70 {
            deep = json!({ "d": deep });
        }
        let error = normalize(&json!({"content": [], "structuredContent": deep})).unwrap_err();
        assert!(error.contains("deeper than the limit of 64 levels"), "{error}");
        let nested_text = format!("{}{}", "[".repeat(70), "]".repeat(70));
        assert_eq!(
            normalize(&json!({"content": [{"type": "text", "text": nested_text}]})),
            Ok(json!(nested_text)),
            "JSON text past the caps stays text"
        );
    }
}
