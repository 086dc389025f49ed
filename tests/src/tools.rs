//! The outside programs some end-to-end tests run against, as
//! `scripts/test-tools.sh` (run by `make test`) installed them into the build
//! tree. A missing one is a clear failure that says how to install it.

use std::path::PathBuf;

use super::workspace_root;

fn installed(relative: &str) -> PathBuf {
    let path = workspace_root().join("target/test-tools").join(relative);
    assert!(path.exists(), "{} is missing: run `scripts/test-tools.sh` (or `make test`)", path.display());
    path
}

/// The Python of the private venv that has the official MCP Python SDK (`mcp`) and `jsonschema`.
pub fn python() -> PathBuf {
    installed("venv/bin/python")
}

/// An npm package's installed folder, e.g. `@modelcontextprotocol/server-everything`.
pub fn npm_package(name: &str) -> PathBuf {
    installed(&format!("npm/node_modules/{name}"))
}

/// An executable an npm package installed, e.g. `mcp-server-everything`.
pub fn npm_bin(name: &str) -> PathBuf {
    installed(&format!("npm/node_modules/.bin/{name}"))
}

/// `redis-server`, from the PATH (Debian's package, which `scripts/test-tools.sh` installs when missing).
pub fn redis_server() -> PathBuf {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("redis-server")).find(|p| p.exists()));
    found.expect("redis-server is not installed: run `scripts/test-tools.sh` (or `make test`)")
}

/// A client script of `tests/python/`, run with [`python`].
pub fn python_script(name: &str) -> PathBuf {
    workspace_root().join("tests/python").join(name)
}
