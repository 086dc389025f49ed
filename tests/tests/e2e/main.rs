//! The end-to-end suite, one test binary: each module drives the real `kosmo`
//! binary, the real plugin components in wasmtime and the simulator over
//! loopback HTTP (through the harness in `tests/src/`). One binary instead of
//! one per file: each test binary links the harness and its dependencies
//! anew, and on a two-core machine those links took much of the build.
//!
//! Run one module with a filter: `cargo test --release -p kosmo-harness --test e2e hostile::`.

mod auth;
mod conformance;
mod docs;
mod faults;
mod foundation;
mod gate;
mod hostile;
mod hostile_catalog;
mod hostile_text;
mod hot_swap;
mod lua_cli;
mod lua_ux;
mod mcp;
mod mcp_client;
mod mcp_http;
mod output_schemas;
mod pacing;
mod plugin_files;
mod redis_state;
mod seed_examples;
mod tools_bad_input;
mod tools_media;
mod tools_results;
mod tools_wire;
mod writes;
