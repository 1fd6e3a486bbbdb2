#!/usr/bin/env bash
# Installs everything the tests need, then runs lint, type checks and the whole test suite.
# Any failing test, lint or type error fails the command. Extra arguments go to pytest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh" test,bench
cd "$ROOT"
echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== mypy"
"$VENV/bin/mypy"
echo "== pytest"
"$PY" -m pytest "$@"
