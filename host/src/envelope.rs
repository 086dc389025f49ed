//! The `--json` envelope of `integrations:lua`, field for field as the
//! original KosmoKrator command printed it (4-space indented JSON).

use serde::Serialize;

use crate::commands::pretty_json;
use crate::lua::{CallRecord, Execution};

#[derive(Serialize)]
struct Envelope<'a> {
    success: bool,
    output: String,
    error: Option<&'a str>,
    result: Option<&'a [serde_json::Value]>,
    execution_time_ms: f64,
    memory_usage: Option<usize>,
    integration_calls: &'a [CallRecord],
    meta: Meta,
}

#[derive(Serialize)]
struct Meta {
    permission_bypassed: bool,
}

pub fn render(execution: &Execution) -> String {
    pretty_json(&Envelope {
        success: execution.error.is_none(),
        output: execution.output.join("\n"),
        error: execution.error.as_deref(),
        result: if execution.error.is_none() { Some(&execution.result) } else { None },
        execution_time_ms: execution.execution_time_ms,
        memory_usage: execution.memory_usage,
        integration_calls: &execution.integration_calls,
        meta: Meta { permission_bypassed: execution.permission_bypassed },
    })
}
