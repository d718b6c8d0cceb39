#!/usr/bin/env bash
# Runs a command on Node.js 22 or newer, the range Lambda's nodejs24.x runtime and our dependencies (fauxqs 2 needs
# 22.5) support. A machine whose `node` is already 22+ runs the command unchanged. An older machine gets the Node.js
# 24 binary the npm registry publishes (package node-<os>-<arch>, version pinned below), unpacked once into
# .cache/node/ in this checkout and put first on PATH for this command only: nothing outside the project changes.
set -euo pipefail

NODE24_VERSION="24.22.3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(current_major)" -ge 22 ]; then
  exec "$@"
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "with-node: Node.js 22 or newer is required; install it (24 recommended) and run again" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "with-node: Node.js 22 or newer is required; install it (24 recommended) and run again" >&2; exit 2 ;;
esac

dir="$ROOT/.cache/node/$NODE24_VERSION"
if [ ! -x "$dir/bin/node" ]; then
  echo "with-node: $(node -v 2>/dev/null || echo 'no node') is older than 22; fetching Node.js $NODE24_VERSION (node-$os-$arch) from the npm registry" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "node-$os-$arch@$NODE24_VERSION" --silent >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp"/node-*.tgz -C "$dir" --strip-components=1
  rm -rf "$tmp"
  trap - EXIT
fi

export PATH="$dir/bin:$PATH"
exec "$@"
