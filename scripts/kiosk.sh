#!/usr/bin/env bash
# Installs everything the kiosk needs, then starts it. Arguments go to `run.py`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh" kiosk
cd "$ROOT"
exec "$PY" run.py "$@"
