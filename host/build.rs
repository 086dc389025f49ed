//! Puts the RingCentral plugin inside the kosmo binary (`src/builtin.rs`), so
//! an installed kosmo works without a plugin directory.
//!
//! `KOSMO_BUILTIN_PLUGIN` names a prebuilt component: `.cargo/config.toml`
//! points it at the one `make build` links first, so the plugin is compiled
//! once. When that file is missing (a fresh `cargo install --path host`), the
//! plugin is built here for `wasm32-wasip2`, with `make build`'s size settings,
//! into this build's own directory.

use std::path::{Path, PathBuf};
use std::process::Command;

const PREBUILT_ENV: &str = "KOSMO_BUILTIN_PLUGIN";

fn main() {
    println!("cargo:rerun-if-env-changed={PREBUILT_ENV}");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let embedded = out_dir.join("ringcentral.wasm");
    let prebuilt = std::env::var_os(PREBUILT_ENV).map(PathBuf::from).filter(|path| path.is_file());
    let source = match prebuilt {
        Some(path) => {
            println!("cargo:rerun-if-changed={}", path.display());
            path
        }
        None => build_plugin(&out_dir),
    };
    std::fs::copy(&source, &embedded)
        .unwrap_or_else(|e| panic!("copying the plugin {} into the build: {e}", source.display()));
}

/// Builds `plugin/` for wasm32-wasip2 in a target directory of its own (the
/// outer build holds the workspace's), and gives the component's path.
fn build_plugin(out_dir: &Path) -> PathBuf {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("host/ sits in the workspace");
    for watched in ["plugin/src", "plugin/Cargo.toml", "plugin-core/src", "suggest/src", "wit"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let target_dir = out_dir.join("plugin-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "--target", "wasm32-wasip2", "-p", "ringcentral"])
        .args(["--config", "profile.release.package.\"*\".opt-level=\"z\""])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        // The outer build's settings are for the host, not for a wasm component.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .unwrap_or_else(|e| panic!("running cargo to build the built-in plugin: {e}"));
    assert!(
        status.success(),
        "building the built-in RingCentral plugin for wasm32-wasip2 failed (is the target installed? \
         `rustup target add wasm32-wasip2`); or set {PREBUILT_ENV} to a built ringcentral.wasm"
    );
    target_dir.join("wasm32-wasip2/release/ringcentral.wasm")
}
