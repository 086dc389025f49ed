//! `kosmo plugin:inspect PATH`: what a plugin file is before it is trusted
//! with a call: its WIT world as wasmtime sees it (imports and exports), its
//! manifest, its tools, and whether this host would load it, and if not why.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{Value, json};
use wasmtime::Engine;
use wasmtime::component::types::{ComponentItem, Type};

use super::{new_one_shot_runtime, pretty_json, write_stdout};
use crate::builtin;
use crate::cache::{self, hex};
use crate::runtime::{self, SUPPORTED_API_VERSIONS};
use crate::untrusted_text::Line;

#[derive(Args)]
#[command(after_help = "Exit status: 0 the host would load the plugin, 1 it would not, 2 bad usage.\n\n\
Examples:\n  kosmo plugin:inspect target/plugins/ringcentral.wasm\n  kosmo plugin:inspect plugin.wasm --json")]
pub struct InspectArgs {
    /// The plugin file (a WebAssembly component).
    path: PathBuf,
    /// Print JSON: file, world, manifest, tools, valid, error.
    #[arg(long)]
    json: bool,
}

/// Nesting shown for a type before it is abbreviated.
const TYPE_DEPTH: usize = 4;

pub async fn run(args: InspectArgs) -> ExitCode {
    let path = args.path.as_path();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            crate::log::failure(format!("cannot read {}: {e}", path.display()));
            return ExitCode::from(2);
        }
    };
    let runtime = match new_one_shot_runtime() {
        Ok(runtime) => runtime,
        Err(message) => {
            crate::log::failure(message);
            return ExitCode::FAILURE;
        }
    };
    let sha256 = cache::sha256(&bytes);
    let mut report = json!({
        "file": { "path": path.display().to_string(), "bytes": bytes.len(), "sha256": hex(&sha256) },
        "world": Value::Null,
        "manifest": Value::Null,
        "tools": Value::Null,
        "valid": false,
        "error": Value::Null,
    });
    let verdict = inspect(&runtime, path, bytes, sha256, &mut report).await;
    if let Err(error) = &verdict {
        report["error"] = json!(error);
    }
    report["valid"] = json!(verdict.is_ok());
    // Which plugin serves this id: a file of the built-in plugin's id overrides it.
    report["builtin"] = json!({
        "id": builtin::ID,
        "sha256": hex(&cache::sha256(builtin::COMPONENT)),
        "overridden_by_this_file": report["manifest"]["id"] == builtin::ID,
    });
    if args.json {
        write_stdout(&format!("{}\n", pretty_json(&report)));
    } else {
        write_stdout(&render(&report));
    }
    if verdict.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Fills `report` as far as the plugin gets; `Err` is why the host would refuse it.
async fn inspect(
    runtime: &runtime::Runtime,
    path: &Path,
    bytes: Vec<u8>,
    sha256: cache::Sha256Digest,
    report: &mut Value,
) -> Result<(), String> {
    let component = runtime.compile(path, bytes, sha256).await.map_err(|e| format!("{e:#}"))?;
    let engine = runtime.engine();
    let ty = component.component_type();
    let imports: Vec<Value> = ty.imports(engine).map(|(name, item)| item_json(engine, name, &item.ty)).collect();
    let exports: Vec<Value> = ty.exports(engine).map(|(name, item)| item_json(engine, name, &item.ty)).collect();
    report["world"] = json!({ "imports": imports, "exports": exports });

    let description = runtime.describe(path, &component).await.map_err(|e| format!("{e:#}"))?;
    let manifest = &description.manifest;
    report["manifest"] = json!({
        "id": manifest.id,
        "name": manifest.name,
        "version": manifest.version,
        "api_version": manifest.api_version,
        "description": manifest.description,
    });
    report["tools"] = description
        .tools
        .iter()
        .map(|tool| {
            json!({
                "name": tool.name,
                "title": tool.title,
                "description": tool.description,
                "operation": match tool.operation {
                    runtime::Operation::Read => "read",
                    runtime::Operation::Write => "write",
                },
                "input_schema": serde_json::from_str::<Value>(&tool.input_schema)
                    .unwrap_or_else(|_| Value::String(tool.input_schema.clone())),
            })
        })
        .collect();
    runtime::validate(path, description, sha256).map(|_| ()).map_err(|e| format!("{e:#}"))
}

fn item_json(engine: &Engine, name: &str, item: &ComponentItem) -> Value {
    match item {
        ComponentItem::ComponentInstance(instance) => {
            let members: Vec<Value> =
                instance.exports(engine).map(|(name, member)| item_json(engine, name, &member.ty)).collect();
            json!({ "name": name, "kind": "interface", "items": members })
        }
        ComponentItem::ComponentFunc(func) => {
            let params: Vec<String> =
                func.params().map(|(name, ty)| format!("{name}: {}", type_text(&ty, TYPE_DEPTH))).collect();
            let results: Vec<String> = func.results().map(|ty| type_text(&ty, TYPE_DEPTH)).collect();
            let mut signature = format!("func({})", params.join(", "));
            if !results.is_empty() {
                signature.push_str(&format!(" -> {}", results.join(", ")));
            }
            json!({ "name": name, "kind": "func", "type": signature })
        }
        ComponentItem::Resource(_) => json!({ "name": name, "kind": "resource" }),
        ComponentItem::Type(ty) => json!({ "name": name, "kind": "type", "type": type_text(ty, TYPE_DEPTH) }),
        ComponentItem::CoreFunc(_) => json!({ "name": name, "kind": "core func" }),
        ComponentItem::Module(_) => json!({ "name": name, "kind": "core module" }),
        ComponentItem::Component(_) => json!({ "name": name, "kind": "component" }),
    }
}

/// A WIT-like rendering of a type, abbreviated past `depth` levels.
fn type_text(ty: &Type, depth: usize) -> String {
    if depth == 0 {
        return "…".into();
    }
    let inner = |ty: &Type| type_text(ty, depth - 1);
    match ty {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(list) => format!("list<{}>", inner(&list.ty())),
        Type::FixedLengthList(list) => format!("list<{}, {}>", inner(&list.ty()), list.len()),
        Type::Map(map) => format!("map<{}, {}>", inner(&map.key()), inner(&map.value())),
        Type::Record(record) => format!(
            "record {{ {} }}",
            record.fields().map(|f| format!("{}: {}", f.name, inner(&f.ty))).collect::<Vec<_>>().join(", ")
        ),
        Type::Tuple(tuple) => format!("tuple<{}>", tuple.types().map(|t| inner(&t)).collect::<Vec<_>>().join(", ")),
        Type::Variant(variant) => format!(
            "variant {{ {} }}",
            variant
                .cases()
                .map(|c| match &c.ty {
                    Some(ty) => format!("{}({})", c.name, inner(ty)),
                    None => c.name.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        Type::Option(option) => format!("option<{}>", inner(&option.ty())),
        Type::Result(result) => format!(
            "result<{}, {}>",
            result.ok().map(|t| inner(&t)).unwrap_or_else(|| "_".into()),
            result.err().map(|t| inner(&t)).unwrap_or_else(|| "_".into())
        ),
        Type::Flags(flags) => format!("flags {{ {} }}", flags.names().collect::<Vec<_>>().join(", ")),
        Type::Own(_) => "own<resource>".into(),
        Type::Borrow(_) => "borrow<resource>".into(),
        Type::Future(_) => "future".into(),
        Type::Stream(_) => "stream".into(),
        Type::ErrorContext => "error-context".into(),
    }
}

fn render(report: &Value) -> String {
    let mut out = String::new();
    let file = &report["file"];
    out.push_str(&format!(
        "plugin {} ({} bytes, sha256 {})\n",
        Line(file["path"].as_str().unwrap_or_default()),
        file["bytes"],
        file["sha256"].as_str().unwrap_or_default()
    ));
    let manifest = &report["manifest"];
    if manifest.is_object() {
        out.push_str("\nmanifest\n");
        for (label, key) in [
            ("id", "id"),
            ("name", "name"),
            ("version", "version"),
            ("api version", "api_version"),
            ("description", "description"),
        ] {
            out.push_str(&format!("  {label:<12} {}\n", Line(manifest[key].as_str().unwrap_or_default())));
        }
        out.push_str(&format!("  {:<12} {}\n", "host supports", SUPPORTED_API_VERSIONS.join(", ")));
        if manifest["id"] == builtin::ID {
            out.push_str(&format!(
                "  {:<12} kosmo carries a built-in '{}' (sha256 {}); this file, in the plugin directory, serves \
                 instead of it\n",
                "built-in",
                builtin::ID,
                hex(&cache::sha256(builtin::COMPONENT))
            ));
        }
        out.push_str(&format!(
            "  {:<12} [integrations.{}] sha256 = \"{}\" in the config serves this file only\n",
            "to pin it",
            manifest["id"].as_str().unwrap_or_default(),
            file["sha256"].as_str().unwrap_or_default()
        ));
    }
    let world = &report["world"];
    if world.is_object() {
        out.push_str("\nWIT world (as wasmtime sees it; --json for every type)\n");
        let imports = world["imports"].as_array().cloned().unwrap_or_default();
        out.push_str(&format!("  imports ({})\n", imports.len()));
        for item in &imports {
            // Imports: each interface with the functions it provides.
            let name = item["name"].as_str().unwrap_or_default();
            let functions: Vec<&str> = item["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|member| member["kind"] == "func")
                .filter_map(|member| member["name"].as_str())
                .map(|name| name.rsplit(']').next().unwrap_or(name))
                .collect();
            match item["kind"].as_str() {
                Some("interface") if functions.is_empty() => out.push_str(&format!("    {name} (types only)\n")),
                Some("interface") => out.push_str(&format!("    {name}: {}\n", functions.join(", "))),
                _ => render_item(&mut out, item, 4),
            }
        }
        let exports = world["exports"].as_array().cloned().unwrap_or_default();
        out.push_str(&format!("  exports ({})\n", exports.len()));
        for item in &exports {
            render_item(&mut out, item, 4);
        }
    }
    if let Some(tools) = report["tools"].as_array() {
        out.push_str(&format!("\ntools ({}; parameters marked * are required, --json for the schemas)\n", tools.len()));
        for tool in tools {
            out.push_str(&format!(
                "  {:<28} {:<5} {}\n",
                Line(tool["name"].as_str().unwrap_or_default()),
                tool["operation"].as_str().unwrap_or_default(),
                Line(tool["title"].as_str().unwrap_or_default())
            ));
            out.push_str(&format!("      ({})\n", Line(&parameters(&tool["input_schema"]))));
        }
    }
    out.push('\n');
    match report["error"].as_str() {
        None => out.push_str(&format!(
            "valid: kosmo loads it as '{}'\n",
            Line(report["manifest"]["id"].as_str().unwrap_or_default())
        )),
        Some(error) => out.push_str(&format!("not loadable: {}\n", Line(error))),
    }
    out
}

/// `name*: type, ...` from an object schema's properties.
fn parameters(schema: &Value) -> String {
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).collect();
    let Some(properties) = schema["properties"].as_object() else { return String::new() };
    properties
        .iter()
        .map(|(name, property)| {
            let ty = match &property["type"] {
                Value::String(ty) => ty.clone(),
                Value::Array(types) => types.iter().filter_map(|t| t.as_str()).collect::<Vec<_>>().join("|"),
                _ if property["enum"].is_array() => "enum".into(),
                _ => "any".into(),
            };
            let mark = if required.contains(&name.as_str()) { "*" } else { "" };
            format!("{name}{mark}: {ty}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_item(out: &mut String, item: &Value, indent: usize) {
    let name = item["name"].as_str().unwrap_or_default();
    let kind = item["kind"].as_str().unwrap_or_default();
    match kind {
        "interface" => {
            out.push_str(&format!("{:indent$}{name} (interface)\n", ""));
            for member in item["items"].as_array().into_iter().flatten() {
                render_item(out, member, indent + 2);
            }
        }
        "func" | "type" => {
            out.push_str(&format!("{:indent$}{name}: {}\n", "", item["type"].as_str().unwrap_or_default()))
        }
        other => out.push_str(&format!("{:indent$}{name} ({other})\n", "")),
    }
}
