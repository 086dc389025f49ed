//! The WIT worlds this host runs, bound side by side: `kosmo:integration@0.2.0`
//! (`wit/world.wit`) and `@0.1.0` (`wit/0.1.0/`). A component is linked
//! against the world its exports fit; what a 0.1.0 plugin says is converted
//! to the 0.2.0 types, so the rest of the host knows one set of types.
//! Generic over the Store's data (the runtime's call state), so this file
//! imports nothing of the runtime.

use wasmtime::Store;
use wasmtime::component::InstancePre;

mod current {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "integration",
        exports: { default: async },
    });
}

mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../wit/0.1.0",
        world: "integration",
        exports: { default: async },
    });
}

pub use current::kosmo::integration::types::{ApiError, CallContext, Effects, Manifest, Operation, Tool, ToolError};

/// The WIT world versions this host can run, oldest first.
pub const SUPPORTED_API_VERSIONS: &[&str] = &["0.1.0", "0.2.0"];

/// A component linked against one of the worlds, ready to instantiate.
pub enum WorldPre<T: 'static> {
    V0_2(current::IntegrationPre<T>),
    V0_1(v0_1::IntegrationPre<T>),
}

impl<T: Send + 'static> WorldPre<T> {
    /// The newest world the component's exports fit; the error names both.
    pub fn new(instance_pre: InstancePre<T>) -> wasmtime::Result<WorldPre<T>> {
        let newest = match current::IntegrationPre::new(instance_pre.clone()) {
            Ok(pre) => return Ok(WorldPre::V0_2(pre)),
            Err(e) => e,
        };
        v0_1::IntegrationPre::new(instance_pre).map(WorldPre::V0_1).map_err(|oldest| {
            wasmtime::Error::msg(format!("not the exports of 0.2.0 ({newest}) nor of 0.1.0 ({oldest})"))
        })
    }

    /// The version of the world the exports fit.
    pub fn api_version(&self) -> &'static str {
        match self {
            WorldPre::V0_2(_) => "0.2.0",
            WorldPre::V0_1(_) => "0.1.0",
        }
    }

    pub async fn instantiate(&self, store: &mut Store<T>) -> wasmtime::Result<Bound> {
        Ok(match self {
            WorldPre::V0_2(pre) => Bound::V0_2(pre.instantiate_async(store).await?),
            WorldPre::V0_1(pre) => Bound::V0_1(pre.instantiate_async(store).await?),
        })
    }
}

/// An instance of a plugin, whichever world it was built for.
pub enum Bound {
    V0_2(current::Integration),
    V0_1(v0_1::Integration),
}

impl Bound {
    pub async fn manifest<T: Send>(&self, store: &mut Store<T>) -> wasmtime::Result<Manifest> {
        match self {
            Bound::V0_2(i) => i.call_manifest(store).await,
            Bound::V0_1(i) => i.call_manifest(store).await.map(|m| Manifest {
                id: m.id,
                name: m.name,
                version: m.version,
                api_version: m.api_version,
                description: m.description,
            }),
        }
    }

    pub async fn list_tools<T: Send>(&self, store: &mut Store<T>) -> wasmtime::Result<Vec<Tool>> {
        match self {
            Bound::V0_2(i) => i.call_list_tools(store).await,
            Bound::V0_1(i) => Ok(i.call_list_tools(store).await?.into_iter().map(from_v0_1_tool).collect()),
        }
    }

    pub async fn call_tool<T: Send>(
        &self,
        store: &mut Store<T>,
        name: &str,
        arguments: &str,
        context: &CallContext,
    ) -> wasmtime::Result<Result<String, ToolError>> {
        match self {
            Bound::V0_2(i) => i.call_call_tool(store, name, arguments, context).await,
            Bound::V0_1(i) => {
                let context = v0_1::kosmo::integration::types::CallContext {
                    account: context.account.clone(),
                    server_origin: context.server_origin.clone(),
                };
                Ok(i.call_call_tool(store, name, arguments, &context).await?.map_err(from_v0_1_error))
            }
        }
    }

    pub async fn read_docs<T: Send>(&self, store: &mut Store<T>, topic: &str) -> wasmtime::Result<Option<String>> {
        match self {
            Bound::V0_2(i) => i.call_read_docs(store, topic).await,
            Bound::V0_1(i) => i.call_read_docs(store, topic).await,
        }
    }
}

/// A 0.1.0 tool says nothing of its result, and a write may destroy and is
/// not known to be safe to repeat.
fn from_v0_1_tool(tool: v0_1::kosmo::integration::types::Tool) -> Tool {
    use v0_1::kosmo::integration::types::Operation as Old;
    let (operation, effects) = match tool.operation {
        Old::Read => (Operation::Read, Effects::empty()),
        Old::Write => (Operation::Write, Effects::DESTRUCTIVE),
    };
    Tool {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        operation,
        input_schema: tool.input_schema,
        output_schema: None,
        effects,
    }
}

fn from_v0_1_error(error: v0_1::kosmo::integration::types::ToolError) -> ToolError {
    use v0_1::kosmo::integration::types::ToolError as Old;
    match error {
        Old::InvalidArguments(m) => ToolError::InvalidArguments(m),
        Old::UnknownTool(m) => ToolError::UnknownTool(m),
        Old::Api(e) => ToolError::Api(ApiError {
            status: e.status,
            error_code: e.error_code,
            message: e.message,
            parameter_name: e.parameter_name,
            request_id: e.request_id,
        }),
        Old::Transport(m) => ToolError::Transport(m),
        Old::Denied(m) => ToolError::Denied(m),
    }
}
