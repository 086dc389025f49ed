//! The RingCentral integration as a WASI Preview 2 component. It holds no
//! secrets: the host injects credentials into requests that pass its gate.

mod http;

use ringcentral_core::{docs, media, phone, request, response, schema, tools, wait};

wit_bindgen::generate!({
    path: "../wit",
    world: "integration",
});

use kosmo::integration::types::{ApiError, Effects, Operation as WitOperation};

/// The WIT world version this plugin implements.
const API_VERSION: &str = "0.2.0";

struct RingCentral;

impl Guest for RingCentral {
    fn manifest() -> Manifest {
        Manifest {
            id: "ringcentral".into(),
            name: "RingCentral".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            api_version: API_VERSION.into(),
            description: "RingCentral business phone system: messages, SMS, call logs, presence, contacts, extensions and phone numbers.".into(),
        }
    }

    fn list_tools() -> Vec<Tool> {
        tools::TOOLS
            .iter()
            .map(|tool| Tool {
                name: tool.name.into(),
                title: tool.title.into(),
                description: tool.description.into(),
                operation: match tool.operation {
                    tools::Operation::Read => WitOperation::Read,
                    tools::Operation::Write => WitOperation::Write,
                },
                input_schema: schema::input_schema_text(tool),
                output_schema: Some(schema::output_schema_text(tool)),
                effects: effects(tool),
            })
            .collect()
    }

    fn call_tool(name: String, arguments: String, context: CallContext) -> Result<String, ToolError> {
        let Some(tool) = tools::find(&name) else {
            let names: Vec<&str> = tools::TOOLS.iter().map(|t| t.name).collect();
            let hint = kosmo_suggest::hint(&name, &names);
            return Err(ToolError::UnknownTool(format!("unknown tool '{name}'.{hint}")));
        };
        let args: serde_json::Value = serde_json::from_str(&arguments)
            .map_err(|e| ToolError::InvalidArguments(format!("{name}: arguments are not valid JSON: {e}")))?;
        let origin = http::Origin::parse(&context.server_origin).map_err(ToolError::Transport)?;
        // Looked up once, and only when a number lacks its country code.
        let home = if request::needs_home_country(tool, &args) { home_country(&origin)? } else { None };
        match tool.run {
            tools::Run::Json => {
                let request = request::build_for(tool, &args, &context.server_origin, home.as_ref())
                    .map_err(ToolError::InvalidArguments)?;
                let body = match &request.body {
                    Some(body) => Some(request::encode_body(tool, body).map_err(ToolError::InvalidArguments)?),
                    None => None,
                };
                let body = body.as_ref().map(|(content_type, bytes)| (content_type.as_str(), bytes.as_slice()));
                response::interpret(&send(&request, &origin, body)?).map_err(api_error)
            }
            tools::Run::Media => {
                let request = request::build_for(tool, &args, &context.server_origin, home.as_ref())
                    .map_err(ToolError::InvalidArguments)?;
                let media = http::Origin::parse(media::origin(&context.server_origin)).map_err(ToolError::Transport)?;
                media::result(&send(&request, &media, None)?).map_err(api_error)
            }
            tools::Run::WaitForReply => {
                let wait = wait::Wait::new(tool, &args).map_err(ToolError::InvalidArguments)?;
                let answer = wait.run(&WasiClock, |request| {
                    let text = response::interpret(&send(request, &origin, None)?).map_err(api_error)?;
                    serde_json::from_str(&text)
                        .map_err(|e| ToolError::Transport(format!("the message sync answered with invalid JSON: {e}")))
                })?;
                Ok(answer.to_string())
            }
        }
    }

    fn read_docs(topic: String) -> Option<String> {
        docs::read(&topic)
    }
}

/// The account's home country, from the caller's own extension record; `None`
/// when the record does not say (the number is then refused, naming the form
/// to use). A request the host refuses stays a refusal.
fn home_country(origin: &http::Origin) -> Result<Option<phone::HomeCountry>, ToolError> {
    let response = match http::send(tools::Method::Get, origin, phone::HOME_COUNTRY_PATH, None) {
        Ok(response) => response,
        Err(http::HttpError::Denied(why)) => return Err(ToolError::Denied(why)),
        Err(http::HttpError::Transport(_)) => return Ok(None),
    };
    if response.status != 200 {
        return Ok(None);
    }
    // Through `from_str`, as every other answer: one JSON reader in the plugin, not two.
    let text = std::str::from_utf8(&response.body).unwrap_or_default();
    let record: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    Ok(phone::HomeCountry::from_extension(&record))
}

fn effects(tool: &tools::Tool) -> Effects {
    let mut effects = Effects::empty();
    if tool.destructive() {
        effects |= Effects::DESTRUCTIVE;
    }
    if tool.idempotent() {
        effects |= Effects::IDEMPOTENT;
    }
    effects
}

fn send(
    request: &request::ApiRequest,
    origin: &http::Origin,
    body: Option<(&str, &[u8])>,
) -> Result<response::Response, ToolError> {
    http::send(request.method, origin, &request.path_and_query, body).map_err(|e| match e {
        http::HttpError::Denied(why) => ToolError::Denied(why),
        http::HttpError::Transport(why) => ToolError::Transport(why),
    })
}

fn api_error(f: response::ApiFailure) -> ToolError {
    ToolError::Api(ApiError {
        status: f.status,
        error_code: f.error_code,
        message: f.message,
        parameter_name: f.parameter_name,
        request_id: f.request_id,
    })
}

/// WASI's monotonic clock, for `wait_for_reply`'s pauses between syncs.
struct WasiClock;

impl wait::Clock for WasiClock {
    fn now_ms(&self) -> u64 {
        wasip2::clocks::monotonic_clock::now() / 1_000_000
    }

    fn sleep_ms(&self, ms: u64) {
        if ms > 0 {
            wasip2::clocks::monotonic_clock::subscribe_duration(ms * 1_000_000).block();
        }
    }
}

export!(RingCentral);
