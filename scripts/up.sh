#!/usr/bin/env bash
# Quick start, first command: installs what is missing and brings up a one-node Sampan cluster.
# (Today: the API server on an embedded store; the node agent arrives with issue 4.)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/deps.sh"
data_dir="${SAMPAN_DATA_DIR:-/var/lib/sampan}"
exec "$here/bin/sampan" server --data-dir "$data_dir" "$@"
