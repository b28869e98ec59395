#!/usr/bin/env bash
# Quick start, second command: the whole test suite (unit + end-to-end against live servers
# driven by the real kubectl). CI runs exactly this.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/deps.sh
command -v kubectl >/dev/null || { echo "sampan tests: kubectl is not on PATH" >&2; exit 1; }
rm -rf dist/test
npx --no-install tsc -p tsconfig.json
shopt -s nullglob
files=(dist/test/unit/*.test.js dist/test/e2e/*.test.js)
exec node --test --test-concurrency="${SAMPAN_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
