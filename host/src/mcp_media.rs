//! Media results over MCP: a tool's `{contentType, size, contentBase64}`
//! (`media.rs`; no `save_to` given) goes to the client as audio or image
//! content, or as an embedded resource with its MIME type, beside a text
//! block that says what it is. That text's JSON, `{contentType, size}`, is
//! also the `structuredContent` the tool's output schema describes.

use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
use serde_json::{Value, json};

use crate::media::Media;

/// The answer for `result`, if it is media.
pub fn answer(tool: &str, result: &Value) -> Option<CallToolResult> {
    let fields = result.as_object()?;
    let is_media =
        fields.len() == 3 && ["contentType", "size", "contentBase64"].iter().all(|k| fields.contains_key(*k));
    let media = Media::from_result(result).ok().filter(|_| is_media)?;
    let data = result["contentBase64"].as_str()?.to_string();
    let summary = json!({ "contentType": media.content_type, "size": media.bytes.len() });
    let block = match media.content_type.split('/').next() {
        Some("image") => ContentBlock::image(data, media.content_type),
        Some("audio") => ContentBlock::audio(data, media.content_type),
        _ => ContentBlock::resource(ResourceContents::BlobResourceContents {
            uri: format!("kosmo:media/{tool}"),
            mime_type: Some(media.content_type),
            blob: data,
            meta: None,
        }),
    };
    let mut answer = CallToolResult::success(vec![ContentBlock::text(summary.to_string()), block]);
    answer.structured_content = Some(summary);
    Some(answer)
}
