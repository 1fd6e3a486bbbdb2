#!/usr/bin/env bash
# Installs everything the kiosk needs, then starts it. Arguments go to `run.py`.
# On a machine where the kiosk is installed as a service (scripts/install-kiosk.sh), it refuses
# to run the kiosk as root: the service runs it as the unprivileged `kiosk` user
# (`systemctl start rostguiden`). `--as-root` runs it as root anyway; `--help` always works.
set -euo pipefail
args=()
as_root=0
for a in "$@"; do
  if [ "$a" = --as-root ]; then as_root=1; else args+=("$a"); fi
done
# The installed service's files (ROSTGUIDEN_INSTALL_ROOT: where install-kiosk.sh --root put them).
installed=()
for f in /etc/systemd/system/rostguiden.service /etc/rostguiden/kiosk.toml; do
  [ -e "${ROSTGUIDEN_INSTALL_ROOT:-}$f" ] && installed+=("${ROSTGUIDEN_INSTALL_ROOT:-}$f")
done
wants_help=0
for a in "${args[@]}"; do
  case "$a" in -h | --help) wants_help=1 ;; esac
done
if [ "$(id -u)" = 0 ] && ((${#installed[@]})) && [ "$as_root" = 0 ] && [ "$wants_help" = 0 ]; then
  echo "kiosk.sh: the kiosk is installed as a service here (${installed[*]})." >&2
  echo "kiosk.sh: start it with 'systemctl start rostguiden' (it runs as the kiosk user), or" >&2
  echo "kiosk.sh: pass --as-root to run this checkout as root anyway." >&2
  exit 1
fi
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh" kiosk
cd "$ROOT"
exec "$PY" run.py ${args[@]+"${args[@]}"}
