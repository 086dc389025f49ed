//! The RingCentral integration as a WASI Preview 2 component. It holds no
//! secrets: the host injects credentials into requests that pass its gate.

mod http;

use ringcentral_core::{docs, phone, request, response, schema, tools};

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
                input_schema: schema::input_schema(tool).to_string(),
                output_schema: Some(schema::output_schema(tool).to_string()),
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
        let request = request::build_for(tool, &args, &context.server_origin, home.as_ref())
            .map_err(ToolError::InvalidArguments)?;
        let body = request.body.as_ref().map(|b| b.to_string().into_bytes());
        let response =
            http::send(request.method, &origin, &request.path_and_query, body.as_deref()).map_err(|e| match e {
                http::HttpError::Denied(why) => ToolError::Denied(why),
                http::HttpError::Transport(why) => ToolError::Transport(why),
            })?;
        response::interpret(&response).map_err(|f| {
            ToolError::Api(ApiError {
                status: f.status,
                error_code: f.error_code,
                message: f.message,
                parameter_name: f.parameter_name,
                request_id: f.request_id,
            })
        })
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
    let record: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
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

export!(RingCentral);
