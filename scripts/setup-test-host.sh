#!/usr/bin/env bash
# Installs what the browser, extension and UI tests need besides node_modules:
#   - Debian packages: chromium (the browser the tests drive), ripgrep (stands in for
#     @vscode/ripgrep's GitHub download), libkrb5-dev (code-server's kerberos addon builds against it)
#   - code-server 4.100.3 (a real VS Code 1.100.3 server + web workbench; the last release whose
#     engines allow Node 20) into .vscode-test-host/cs
# Idempotent: checks each piece first and prints what it did. Needs only the npm registry and apt.
# Environment: LLM_LENS_TEST_HOST overrides the install folder (default <repo>/.vscode-test-host).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST_DIR="${LLM_LENS_TEST_HOST:-$ROOT/.vscode-test-host}"
CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep 1.15.11 (code-server 4.100.3's) looks in this cache before downloading from GitHub.
RG_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

say() { echo "[setup-test-host] $*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

ensure_apt_packages() {
  # fonts-wqy-microhei: a CJK font, so the Chinese panel screenshots show glyphs, not boxes
  local wanted=(chromium ripgrep libkrb5-dev fonts-wqy-microhei) missing=() p
  # the kerberos addon compiles with node-gyp: a bare Debian needs a compiler and python too
  command -v g++ >/dev/null || wanted+=(g++)
  command -v make >/dev/null || wanted+=(make)
  command -v python3 >/dev/null || wanted+=(python3)
  for p in "${wanted[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then say "apt packages present: ${wanted[*]}"; return; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "[setup-test-host] missing Debian packages: ${missing[*]}; run this script as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

code_server_ok() {
  local pkg="$HOST_DIR/cs/node_modules/code-server/package.json"
  [ -x "$HOST_DIR/cs/node_modules/.bin/code-server" ] && [ -f "$pkg" ] &&
    [ "$(node -p "require('$pkg').version")" = "$CODE_SERVER_VERSION" ] &&
    # a half-finished install leaves the package without its built VS Code
    [ -f "$HOST_DIR/cs/node_modules/code-server/lib/vscode/package.json" ]
}

ensure_code_server() {
  if code_server_ok; then say "code-server $CODE_SERVER_VERSION present in $HOST_DIR/cs"; return; fi
  say "installing code-server $CODE_SERVER_VERSION into $HOST_DIR/cs (about 1-2 min)"
  local tmp="$HOST_DIR/tmp"
  mkdir -p "$tmp/$RG_CACHE_NAME" "$tmp/rgstage" "$HOST_DIR/cs"
  cp /usr/bin/rg "$tmp/rgstage/rg"
  tar czf "$tmp/$RG_CACHE_NAME/$RG_TARBALL" -C "$tmp/rgstage" rg
  cd "$HOST_DIR/cs"
  [ -f package.json ] || echo '{ "name": "llm-lens-test-host", "private": true }' > package.json
  # unsafe_perm: install scripts must run as root; yes: node-pty's postinstall calls npx
  TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false \
    npm_config_update_notifier=false npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
  code_server_ok || { echo "[setup-test-host] code-server install did not complete" >&2; exit 1; }
  rm -rf "$tmp"
  say "code-server $CODE_SERVER_VERSION installed"
}

ensure_apt_packages
ensure_code_server
say "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
