#!/usr/bin/env bash
# Installs the outside programs the end-to-end tests run against, into the build tree
# (target/test-tools), so a fresh machine needs nothing but this script:
#   * the official MCP Python SDK (`mcp` on PyPI) in a private venv,
#   * npm packages (the reference MCP server `@modelcontextprotocol/server-everything`),
#   * `redis-server` from Debian when the machine has none.
# Each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/test-tools
mkdir -p "$tools"

venv=$tools/venv
PY_PACKAGES=(mcp jsonschema)
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import mcp, jsonschema' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
fi

npm_prefix=$tools/npm
NPM_PACKAGES=(@modelcontextprotocol/server-everything)
for package in "${NPM_PACKAGES[@]}"; do
  if [ ! -d "$npm_prefix/node_modules/$package" ]; then
    npm install --silent --no-audit --no-fund --prefix "$npm_prefix" "$package" >/dev/null
  fi
done

if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq redis-server >/dev/null
fi
echo "test tools ready in $tools"
