//! Checks requests against RingCentral's OpenAPI description
//! (`../shared/reference/rc-public-openapi.yml`, read in place: its licence
//! does not allow copying it into the repository).
//!
//! `openapiv3` gives the structure (paths, operations, parameters, bodies);
//! schemas are turned from OpenAPI 3.0's dialect into JSON Schema 2020-12, with
//! the `$ref`s they reach carried along, and validated with `jsonschema`.
//! Beyond the schemas, a body may not carry a field its schema does not
//! declare: RingCentral's schemas leave `additionalProperties` open, but a
//! misspelt field is still a bug.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use openapiv3::{OpenAPI, Operation, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, RequestBody};
use serde_json::{Map, Value, json};

/// Where the spec lives: beside the repository, in `shared/reference/`.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/rc-public-openapi.yml")
}

pub struct Spec {
    api: OpenAPI,
    /// The whole document as JSON, for following `$ref`s inside schemas.
    doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// One request as the simulator logged it.
pub struct WireRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub content_type: Option<&'a str>,
    pub body: &'a str,
}

impl<'a> WireRequest<'a> {
    /// From an entry of the simulator's `/__sim/requests` log.
    pub fn from_log(entry: &'a Value) -> WireRequest<'a> {
        WireRequest {
            method: entry["method"].as_str().unwrap_or_default(),
            path: entry["path"].as_str().unwrap_or_default(),
            query: entry["query"].as_str().unwrap_or_default(),
            content_type: entry["headers"]["content-type"].as_str(),
            body: entry["body"].as_str().unwrap_or_default(),
        }
    }
}

/// The operation a conforming request matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub operation_id: String,
    pub method: String,
    pub template: String,
}

impl Spec {
    /// The parsed spec, once per test process; `None` (after a loud message)
    /// when the file is absent.
    pub fn get() -> Option<&'static Spec> {
        static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let path = spec_path();
            if !path.exists() {
                eprintln!(
                    "\n!!!!!!!! CONFORMANCE NOT CHECKED: {} is absent. The OpenAPI conformance checks \
                     are skipped; CI has the file. !!!!!!!!\n",
                    path.display()
                );
                return None;
            }
            Some(Spec::load(&path))
        })
        .as_ref()
    }

    pub fn load(path: &Path) -> Spec {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let doc: Value =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        let api: OpenAPI = serde_json::from_value(doc.clone())
            .unwrap_or_else(|e| panic!("{} is not an OpenAPI 3.0 document: {e}", path.display()));
        Spec { api, doc, validators: Mutex::new(HashMap::new()) }
    }

    /// The operation `method template` declares, if any.
    pub fn operation(&self, method: &str, template: &str) -> Option<&Operation> {
        let item = self.path_item(template)?;
        operation_of(item, method)
    }

    fn path_item(&self, template: &str) -> Option<&PathItem> {
        match self.api.paths.paths.get(template)? {
            ReferenceOr::Item(item) => Some(item),
            ReferenceOr::Reference { .. } => None,
        }
    }

    /// The schema of the operation's first 2xx JSON answer (`$ref`s resolved at
    /// the top), or `None` when it answers no content (a 204).
    pub fn success_schema(&self, method: &str, template: &str) -> Option<&Value> {
        let operation = self.doc["paths"][template].get(method.to_ascii_lowercase())?;
        let responses = operation["responses"].as_object()?;
        responses.iter().filter(|(code, _)| code.starts_with('2')).find_map(|(_, response)| {
            let response = resolve(&self.doc, response);
            let schema = response["content"].as_object()?.iter().find(|(kind, _)| kind.contains("json"))?.1;
            Some(resolve(&self.doc, &schema["schema"]))
        })
    }

    /// The media types of the operation's success responses and their schemas
    /// (a media download answers `audio/*`, `application/pdf`… as binary strings).
    pub fn success_content(&self, method: &str, template: &str) -> Vec<(&str, &Value)> {
        let Some(operation) = self.doc["paths"][template].get(method.to_ascii_lowercase()) else { return Vec::new() };
        let Some(responses) = operation["responses"].as_object() else { return Vec::new() };
        responses
            .iter()
            .filter(|(code, _)| code.starts_with('2'))
            .filter_map(|(_, response)| resolve(&self.doc, response)["content"].as_object())
            .flatten()
            .map(|(kind, content)| (kind.as_str(), resolve(&self.doc, &content["schema"])))
            .collect()
    }

    /// The schema of `schema`'s property `name`, through `$ref`s and `allOf`.
    pub fn property<'s>(&'s self, schema: &'s Value, name: &str) -> Option<&'s Value> {
        let schema = resolve(&self.doc, schema);
        if let Some(found) = schema["properties"].get(name) {
            return Some(resolve(&self.doc, found));
        }
        schema["allOf"].as_array()?.iter().find_map(|part| self.property(part, name))
    }

    /// The JSON type a schema gives its values (`object` when it only has properties).
    pub fn type_of(&self, schema: &Value) -> Option<String> {
        let schema = resolve(&self.doc, schema);
        match schema.get("type").and_then(Value::as_str) {
            Some(kind) => Some(kind.to_string()),
            None if schema.get("properties").is_some() || schema.get("allOf").is_some() => Some("object".into()),
            None => None,
        }
    }

    /// The operation's parameters (path-level ones included), `$ref`s resolved.
    pub fn parameters(&self, method: &str, template: &str) -> Vec<Parameter> {
        let Some(item) = self.path_item(template) else { return Vec::new() };
        let Some(op) = operation_of(item, method) else { return Vec::new() };
        let mut params: Vec<Parameter> = Vec::new();
        for p in item.parameters.iter().chain(&op.parameters) {
            let p = self.parameter(p);
            let key = |q: &Parameter| (q.parameter_data_ref().name.clone(), location(q));
            params.retain(|q| key(q) != key(&p));
            params.push(p);
        }
        params
    }

    fn parameter(&self, p: &ReferenceOr<Parameter>) -> Parameter {
        match p {
            ReferenceOr::Item(p) => p.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                let components = self.api.components.as_ref().expect("components");
                self.parameter(components.parameters.get(name).unwrap_or_else(|| panic!("no parameter {reference}")))
            }
        }
    }

    fn request_body(&self, op: &Operation) -> Option<RequestBody> {
        let mut body = op.request_body.clone()?;
        loop {
            match body {
                ReferenceOr::Item(body) => return Some(body),
                ReferenceOr::Reference { reference } => {
                    let name = reference.rsplit('/').next().unwrap_or_default().to_string();
                    let components = self.api.components.as_ref().expect("components");
                    body = components.request_bodies.get(&name).cloned().unwrap_or_else(|| panic!("no {reference}"));
                }
            }
        }
    }

    /// The spec path template `path` instantiates: literal segments must be equal,
    /// `{name}` segments take any non-empty value; the most literal match wins.
    pub fn template_for(&self, method: &str, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        self.api
            .paths
            .paths
            .iter()
            .filter(|(_, item)| matches!(item, ReferenceOr::Item(item) if operation_of(item, method).is_some()))
            .filter_map(|(template, _)| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != segments.len() {
                    return None;
                }
                let mut literal = 0;
                for (part, seg) in parts.iter().zip(&segments) {
                    if part.starts_with('{') && part.ends_with('}') {
                        if seg.is_empty() {
                            return None;
                        }
                    } else if part == seg {
                        literal += 1;
                    } else {
                        return None;
                    }
                }
                Some((literal, template))
            })
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, template)| template.clone())
    }

    /// Every way `request` departs from the spec, or the operation it matched.
    pub fn check(&self, request: &WireRequest) -> Result<Matched, Vec<String>> {
        let method = request.method.to_ascii_uppercase();
        let Some(template) = self.template_for(&method, request.path) else {
            let any_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .iter()
                .filter_map(|m| self.template_for(m, request.path).map(|t| format!("{m} {t}")))
                .collect::<Vec<_>>();
            return Err(vec![if any_method.is_empty() {
                format!("{method} {}: no such path in the spec", request.path)
            } else {
                format!("{method} {}: the spec has only {}", request.path, any_method.join(", "))
            }]);
        };
        let op = self.operation(&method, &template).expect("template_for found an operation");
        let operation_id = op.operation_id.clone().unwrap_or_default();
        let mut problems = Vec::new();
        let params = self.parameters(&method, &template);

        // Path parameters.
        for (part, seg) in template.split('/').zip(request.path.split('/')) {
            let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else { continue };
            let value = percent_decode(seg);
            match params.iter().find(|p| matches!(p, Parameter::Path { .. }) && p.parameter_data_ref().name == name) {
                Some(p) => {
                    if let Err(why) = self.check_value(&operation_id, p, &[value.as_str()]) {
                        problems.push(format!("path parameter {name}={value:?}: {why}"));
                    }
                }
                None => problems.push(format!("path parameter {{{name}}} is not declared")),
            }
        }

        // Query parameters: names, repetition (arrays only), values and enums.
        let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(request.query.as_bytes()) {
            query.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        for (name, values) in &query {
            let declared =
                params.iter().find(|p| matches!(p, Parameter::Query { .. }) && p.parameter_data_ref().name == *name);
            let Some(p) = declared else {
                problems.push(format!("query parameter {name:?} is not declared by {operation_id}"));
                continue;
            };
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            if let Err(why) = self.check_value(&operation_id, p, &values) {
                problems.push(format!("query parameter {name}={values:?}: {why}"));
            }
        }
        for p in &params {
            let data = p.parameter_data_ref();
            if matches!(p, Parameter::Query { .. }) && data.required && !query.contains_key(&data.name) {
                problems.push(format!("required query parameter {:?} is missing", data.name));
            }
        }

        // The JSON body.
        let body = request.body.trim();
        let declared = self.request_body(op);
        let json_schema =
            declared.as_ref().and_then(|b| b.content.get("application/json")).and_then(|m| m.schema.clone());
        let form_schema =
            declared.as_ref().and_then(|b| b.content.get("multipart/form-data")).and_then(|m| m.schema.clone());
        let is_form = request.content_type.is_some_and(|c| c.starts_with("multipart/form-data"));
        if is_form {
            match form_schema {
                Some(schema) => {
                    let raw = serde_json::to_value(&schema).expect("schemas serialize");
                    match form_instance(&self.doc, &raw, request.content_type.unwrap_or_default(), request.body) {
                        Ok(instance) => {
                            let validator = self.validator(&format!("{operation_id} form"), &raw);
                            for error in validator.iter_errors(&instance) {
                                problems.push(format!("form {}: {error}", error.instance_path()));
                            }
                            unknown_fields(&self.doc, &raw, &instance, "form", &mut problems);
                        }
                        Err(why) => problems.push(format!("the multipart/form-data body: {why}")),
                    }
                }
                None => problems.push(format!("{operation_id} takes no multipart/form-data body, but one was sent")),
            }
        } else if body.is_empty() {
            if declared.as_ref().is_some_and(|b| b.required) {
                problems.push(format!("{operation_id} requires a request body"));
            }
        } else if let Some(schema) = json_schema {
            if !request.content_type.is_some_and(|c| c.starts_with("application/json")) {
                problems
                    .push(format!("a JSON body needs content-type application/json, got {:?}", request.content_type));
            }
            match serde_json::from_str::<Value>(body) {
                Ok(instance) => {
                    let raw = serde_json::to_value(&schema).expect("schemas serialize");
                    let key = format!("{operation_id} body");
                    let validator = self.validator(&key, &raw);
                    for error in validator.iter_errors(&instance) {
                        problems.push(format!("body {}: {error}", error.instance_path()));
                    }
                    unknown_fields(&self.doc, &raw, &instance, "body", &mut problems);
                }
                Err(e) => problems.push(format!("the body is not JSON: {e}")),
            }
        } else {
            problems.push(format!("{operation_id} takes no JSON body, but one was sent: {body}"));
        }

        if problems.is_empty() { Ok(Matched { operation_id, method, template }) } else { Err(problems) }
    }

    /// The values the spec enumerates for a query parameter (or its items).
    pub fn query_enum(&self, method: &str, template: &str, name: &str) -> Option<Vec<String>> {
        let params = self.parameters(method, template);
        let p = params.iter().find(|p| matches!(p, Parameter::Query { .. }) && p.parameter_data_ref().name == name)?;
        let ParameterSchemaOrContent::Schema(schema) = &p.parameter_data_ref().format else { return None };
        let raw = serde_json::to_value(schema).expect("schemas serialize");
        let mut schema = resolve(&self.doc, &raw);
        if let Some(items) = schema.get("items") {
            schema = resolve(&self.doc, items);
        }
        let values = schema.get("enum")?.as_array()?;
        Some(values.iter().filter_map(Value::as_str).map(str::to_string).collect())
    }

    /// Checks one parameter's raw value(s). A repeated key is only right for an
    /// array parameter; each value must be valid as an item or as the scalar.
    fn check_value(&self, operation_id: &str, p: &Parameter, values: &[&str]) -> Result<(), String> {
        let data = p.parameter_data_ref();
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return Err("declared with `content`, which this checker does not read".into());
        };
        let raw = serde_json::to_value(schema).expect("schemas serialize");
        let resolved = resolve(&self.doc, &raw);
        let is_array = resolved.get("type").and_then(Value::as_str) == Some("array");
        if is_array {
            let explode = data.explode.unwrap_or(true);
            if !explode && values.len() > 1 {
                return Err("repeated, but the parameter is not exploded".into());
            }
            let items = resolved.get("items").cloned().unwrap_or(json!({}));
            let key = format!("{operation_id} {} {} items", location(p), data.name);
            let validator = self.validator(&key, &items);
            for value in values {
                if !candidates(value).iter().any(|c| validator.is_valid(c)) {
                    return Err(format!("{value:?} is not an allowed item{}", enum_hint(&self.doc, &items)));
                }
            }
            Ok(())
        } else {
            if values.len() > 1 {
                return Err("repeated, but the parameter is not an array".into());
            }
            let key = format!("{operation_id} {} {}", location(p), data.name);
            let validator = self.validator(&key, &raw);
            if candidates(values[0]).iter().any(|c| validator.is_valid(c)) {
                Ok(())
            } else {
                Err(format!("{:?} is not allowed{}", values[0], enum_hint(&self.doc, &raw)))
            }
        }
    }

    fn validator(&self, key: &str, raw: &Value) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(key.to_string())
            .or_insert_with(|| {
                let schema = json_schema(&self.doc, raw);
                Arc::new(
                    jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .build(&schema)
                        .unwrap_or_else(|e| panic!("{key}: the converted schema does not compile: {e}\n{schema:#}")),
                )
            })
            .clone()
    }
}

fn operation_of<'a>(item: &'a PathItem, method: &str) -> Option<&'a Operation> {
    match method {
        "GET" => item.get.as_ref(),
        "POST" => item.post.as_ref(),
        "PUT" => item.put.as_ref(),
        "PATCH" => item.patch.as_ref(),
        "DELETE" => item.delete.as_ref(),
        _ => None,
    }
}

fn location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Path { .. } => "path",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// A query or path value read as what it may stand for: number, boolean or text.
fn candidates(raw: &str) -> Vec<Value> {
    let mut out = Vec::new();
    if let Ok(n) = raw.parse::<i64>() {
        out.push(Value::from(n));
    } else if let Ok(f) = raw.parse::<f64>()
        && f.is_finite()
    {
        out.push(json!(f));
    }
    match raw {
        "true" => out.push(Value::Bool(true)),
        "false" => out.push(Value::Bool(false)),
        _ => {}
    }
    out.push(Value::String(raw.to_string()));
    out
}

/// `: one of [...]` when the schema is an enum.
fn enum_hint(doc: &Value, raw: &Value) -> String {
    match resolve(doc, raw).get("enum") {
        Some(values) => format!(": the spec allows {values}"),
        None => String::new(),
    }
}

/// Follows a top-level `$ref` chain.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => schema = lookup(doc, reference),
            None => break,
        }
    }
    schema
}

fn lookup<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("external $ref {reference}"));
    doc.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"))
}

/// An OpenAPI 3.0 schema as a self-contained JSON Schema 2020-12 document:
/// the schema itself, plus every component schema it reaches under the same
/// pointer (`#/components/schemas/X`), all converted.
pub fn json_schema(doc: &Value, raw: &Value) -> Value {
    let mut reached = BTreeSet::new();
    collect_refs(doc, raw, &mut reached);
    let mut schemas = Map::new();
    for reference in &reached {
        let name = reference.rsplit('/').next().unwrap_or_default();
        schemas.insert(name.to_string(), convert(lookup(doc, reference)));
    }
    let mut root = convert(raw);
    if let Value::Object(map) = &mut root {
        map.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        map.insert("components".into(), json!({ "schemas": schemas }));
    } else {
        root = json!({ "allOf": [root], "components": { "schemas": schemas } });
    }
    root
}

fn collect_refs(doc: &Value, value: &Value, reached: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                assert!(
                    reference.starts_with("#/components/schemas/"),
                    "only component schemas are expected in schemas, got {reference}"
                );
                if reached.insert(reference.to_string()) {
                    collect_refs(doc, lookup(doc, reference), reached);
                }
            }
            for (key, child) in map {
                // Examples are data, not schemas.
                if key != "example" && key != "examples" {
                    collect_refs(doc, child, reached);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(doc, item, reached)),
        _ => {}
    }
}

/// OpenAPI 3.0's schema dialect → JSON Schema 2020-12: `nullable`, boolean
/// `exclusiveMinimum`/`exclusiveMaximum`, and keywords that are not JSON Schema.
fn convert(value: &Value) -> Value {
    let Value::Object(map) = value else { return value.clone() };
    let mut out = Map::new();
    for (key, child) in map {
        match key.as_str() {
            "example" | "examples" | "discriminator" | "xml" | "externalDocs" | "nullable" => {}
            key if key.starts_with("x-") => {}
            "exclusiveMinimum" | "exclusiveMaximum" if child.is_boolean() => {}
            "properties" | "patternProperties" | "$defs" => {
                let converted: Map<String, Value> = child
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                    .unwrap_or_default();
                out.insert(key.to_string(), Value::Object(converted));
            }
            "enum" | "required" | "default" | "const" => {
                out.insert(key.to_string(), child.clone());
            }
            _ => {
                let converted = match child {
                    Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
                    other => convert(other),
                };
                out.insert(key.to_string(), converted);
            }
        }
    }
    for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if map.get(flag) == Some(&Value::Bool(true))
            && let Some(limit) = out.remove(bound)
        {
            out.insert(flag.to_string(), limit);
        }
    }
    let converted = Value::Object(out);
    if map.get("nullable") == Some(&Value::Bool(true)) {
        json!({ "anyOf": [converted, { "type": "null" }] })
    } else {
        converted
    }
}

/// Fields of `instance` that its schema does not declare, where the schema
/// lists properties and says nothing of additional ones.
fn unknown_fields(doc: &Value, schema: &Value, instance: &Value, at: &str, problems: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    match instance {
        Value::Object(fields) => {
            let mut declared: BTreeMap<String, Value> = BTreeMap::new();
            let mut open = false;
            let mut parts = vec![schema];
            while let Some(part) = parts.pop() {
                let part = resolve(doc, part);
                if let Some(props) = part.get("properties").and_then(Value::as_object) {
                    declared.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                match part.get("additionalProperties") {
                    Some(Value::Bool(false)) | None => {}
                    Some(_) => open = true,
                }
                for combinator in ["allOf", "oneOf", "anyOf"] {
                    if let Some(list) = part.get(combinator).and_then(Value::as_array) {
                        parts.extend(list.iter());
                    }
                }
            }
            if declared.is_empty() {
                return;
            }
            for (name, value) in fields {
                match declared.get(name) {
                    Some(sub) => unknown_fields(doc, sub, value, &format!("{at}.{name}"), problems),
                    None if !open => problems.push(format!(
                        "{at}.{name} is not a field of the spec's schema (it has: {})",
                        declared.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    unknown_fields(doc, item_schema, item, &format!("{at}[{i}]"), problems);
                }
            }
        }
        _ => {}
    }
}

fn percent_decode(segment: &str) -> String {
    form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A `multipart/form-data` body as the JSON object its schema describes: a
/// file part is the string `"<binary>"`, a part sent as `application/json` its
/// JSON, any other part its text; a field the schema makes an array collects
/// its parts. Each part must name its field, and a file part its file name and
/// content type.
fn form_instance(doc: &Value, schema: &Value, content_type: &str, body: &str) -> Result<Value, String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .ok_or_else(|| format!("no boundary in {content_type:?}"))?;
    let properties = resolve(doc, schema).get("properties").cloned().unwrap_or(json!({}));
    let mut fields = Map::new();
    let delimiter = format!("\r\n--{boundary}");
    let body = format!("\r\n{body}");
    let mut segments = body.split(delimiter.as_str());
    segments.next();
    let mut closed = false;
    for segment in segments {
        if segment.starts_with("--") {
            closed = true;
            break;
        }
        let segment = segment.strip_prefix("\r\n").ok_or("a delimiter is not followed by CRLF")?;
        let (headers, content) = segment.split_once("\r\n\r\n").ok_or("a part has no blank line after its headers")?;
        let header = |name: &str| {
            headers.split("\r\n").find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        let disposition = header("content-disposition").ok_or("a part has no Content-Disposition")?;
        let param = |key: &str| {
            disposition.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
            })
        };
        let name = param("name").ok_or("a part has no name")?;
        let value = if param("filename").is_some() {
            if header("content-type").is_none() {
                return Err(format!("the file part {name:?} has no Content-Type"));
            }
            json!("<binary>")
        } else if header("content-type").is_some_and(|c| c.starts_with("application/json")) {
            serde_json::from_str(content).map_err(|e| format!("the part {name:?} is not JSON: {e}"))?
        } else {
            json!(content)
        };
        let is_array = properties
            .get(&name)
            .map(|p| resolve(doc, p).get("type").and_then(Value::as_str) == Some("array"))
            .unwrap_or(false);
        let json_array = is_array && value.is_array();
        match fields.get_mut(&name) {
            Some(Value::Array(items)) if is_array && !json_array => items.push(value),
            Some(_) => return Err(format!("the field {name:?} is sent twice")),
            None if is_array && !json_array => {
                fields.insert(name, json!([value]));
            }
            None => {
                fields.insert(name, value);
            }
        }
    }
    if !closed {
        return Err("the closing delimiter is missing".into());
    }
    Ok(Value::Object(fields))
}
