#!/usr/bin/env bash
# Installs everything the tests need, then runs lint, type checks and the whole test suite.
# Any failing test, lint or type error fails the command. Extra arguments go to pytest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh" test,bench
# Test-only Debian packages (not for the kiosk): systemd, for systemd-analyze (tests/test_deploy.py).
if ! command -v systemd-analyze >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "test: run as root (or install the Debian package systemd)" >&2; exit 1; }
  echo "setup: installing test-only system packages: systemd"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
cd "$ROOT"
echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== mypy"
"$VENV/bin/mypy"
echo "== pytest"
"$PY" -m pytest "$@"
