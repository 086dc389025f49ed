//! The RingCentral plugin this kosmo was built with, carried inside the binary
//! (`host/build.rs` puts it there), so that kosmo works without a plugin
//! directory. A file of the same id in the plugin directory overrides it.

/// The id of the built-in plugin's manifest (a test checks it).
pub const ID: &str = "ringcentral";

/// What listings and logs call it in place of a file name.
pub const LABEL: &str = "(built into kosmo)";

/// The component's bytes.
pub static COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ringcentral.wasm"));
