#!/usr/bin/env bash
# Installs what Sampan needs on a Debian 12 machine: Debian packages (as root) and npm
# dependencies, then builds the TypeScript sources. Safe to run again; it skips what is there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

need_pkgs=()
command -v node >/dev/null || need_pkgs+=(nodejs npm)
command -v g++ >/dev/null || need_pkgs+=(g++)
command -v make >/dev/null || need_pkgs+=(make)
command -v python3 >/dev/null || need_pkgs+=(python3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "sampan: missing Debian packages: ${need_pkgs[*]}; run as root or: sudo apt-get install -y ${need_pkgs[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"
fi

if [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ] || [ ! -x node_modules/.bin/tsc ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "sampan: installing npm dependencies (builds the SQLite binding from source; about two minutes)" >&2
  npm install --no-audit --no-fund --loglevel=error
fi

echo "sampan: building" >&2
npx --no-install tsc -p tsconfig.json
