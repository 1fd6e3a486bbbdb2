#!/usr/bin/env bash
# Installs this checkout as a kiosk that systemd starts at boot, once, as root:
#   bash scripts/install-kiosk.sh
# It makes the `kiosk` system user (in the `audio` group), copies the application to
# /opt/rostguiden with its virtual environment (made with the system's Python, which the kiosk
# user can run), writes /etc/rostguiden/kiosk.toml (kept when it exists) whose paths point at
# the folders the unit gives the kiosk, creates those folders (/var/lib/rostguiden/models,
# /var/log/rostguiden, /var/cache/rostguiden), copies the speech models of this checkout there,
# installs deploy/rostguiden.service, enables it and (re)starts it. Running it again updates the
# application and the unit and keeps the configuration. See docs/operator-guide.md, section 8.
#
# Options:
#   --root DIR               install under DIR instead of / (a throw-away root for tests or an
#                            image): every path, the ones written in the config included, is
#                            under DIR; the user is still made on this machine. Also
#                            ROSTGUIDEN_INSTALL_ROOT.
#   --no-systemctl           do not call systemctl (no daemon-reload, enable or start)
#   --allow-model-download   also install deploy/allow-model-download.conf (the network for
#                            model downloads) and write models.auto_install = true
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

DEST="${ROSTGUIDEN_INSTALL_ROOT:-}"
SYSTEMCTL=1
DOWNLOADS=0
while (($#)); do
  case "$1" in
    --root) DEST="${2:?--root needs a folder}"; shift 2 ;;
    --root=*) DEST="${1#--root=}"; shift ;;
    --no-systemctl) SYSTEMCTL=0; shift ;;
    --allow-model-download) DOWNLOADS=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-kiosk: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" != 0 ]; then
  echo "install-kiosk: run as root: sudo bash scripts/install-kiosk.sh" >&2
  exit 1
fi
if [ -n "$DEST" ]; then
  mkdir -p "$DEST"
  DEST="$(cd "$DEST" && pwd)"
  [ "$DEST" = / ] && DEST=""
fi
# The system's tools and Python: a Python under /root (pyenv, uv ...) cannot be run by `kiosk`.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd /  # the kiosk user runs commands below; it may not be able to enter the current folder
KIOSK_USER=kiosk
APP="$DEST/opt/rostguiden"
ETC="$DEST/etc/rostguiden"
STATE="$DEST/var/lib/rostguiden"
LOGS="$DEST/var/log/rostguiden"
CACHE="$DEST/var/cache/rostguiden"
UNITS="$DEST/etc/systemd/system"
say() { echo "install-kiosk: $*"; }
as_kiosk() { runuser -u "$KIOSK_USER" -- "$@"; }

# 1. The user: a system account without a login, in the `audio` group (the sound devices).
getent group audio >/dev/null || groupadd --system audio
if id -u "$KIOSK_USER" >/dev/null 2>&1; then
  usermod --append --groups audio "$KIOSK_USER"
else
  say "creating the system user $KIOSK_USER"
  useradd --system --user-group --groups audio --home-dir /var/lib/rostguiden --no-create-home \
    --shell /usr/sbin/nologin --comment "Röstguiden kiosk" "$KIOSK_USER"
fi

# 2. The application folder, owned by root, readable by everyone (the kiosk cannot change it).
mkdir -p "$APP"
if [ "$(cd "$APP" && pwd -P)" != "$(cd "$SRC" && pwd -P)" ]; then
  say "copying $SRC to $APP"
  tar -C "$SRC" -cf - \
    --exclude=./.venv --exclude=./.git --exclude=./models --exclude=./logs --exclude=./cache \
    --exclude=./build --exclude='*.egg-info' --exclude=__pycache__ --exclude=.mypy_cache \
    --exclude=.pytest_cache --exclude=.ruff_cache --exclude=.hypothesis --exclude=./kiosk.toml --exclude=./bench/results . |
    tar -C "$APP" --no-same-owner -xf -
  mkdir -p "$APP/models"
  [ -f "$SRC/models/README.md" ] && cp "$SRC/models/README.md" "$APP/models/"
fi
chown -R root:root "$APP"
chmod -R u+rwX,go+rX,go-w "$APP"

# 3. Its virtual environment, with the system's python3 (scripts/setup.sh also installs the
# Debian packages the kiosk needs). One the kiosk user cannot run is made again.
if [ -e "$APP/.venv/bin/python" ] && ! as_kiosk "$APP/.venv/bin/python" -c '' 2>/dev/null; then
  say "$APP/.venv uses $(readlink -f "$APP/.venv/bin/python"), which $KIOSK_USER cannot run: making it again"
  rm -rf "$APP/.venv"
fi
# shellcheck source=setup.sh
. "$APP/scripts/setup.sh" kiosk
chmod -R go+rX,go-w "$APP/.venv"
if ! as_kiosk "$PY" -c 'import assistant, numpy, vosk, sounddevice, pyttsx3' 2>/dev/null; then
  say "the kiosk user cannot run $PY with the kiosk's packages:" >&2
  as_kiosk "$PY" -c 'import assistant, numpy, vosk, sounddevice, pyttsx3' >&2 || true
  exit 1
fi

# 4. The folders the kiosk writes (systemd makes them too, at every start, as the unit says).
install -d -o "$KIOSK_USER" -g "$KIOSK_USER" -m 0750 "$STATE" "$STATE/models" "$LOGS" "$CACHE"
for model in "$SRC"/models/*/; do
  [ -d "$model" ] || continue
  name="$(basename "$model")"
  case "$name" in .*) continue ;; esac
  if [ ! -e "$STATE/models/$name" ]; then
    say "copying the speech model $name to $STATE/models"
    cp -a "$model" "$STATE/models/$name"
  fi
done
chown -R "$KIOSK_USER:$KIOSK_USER" "$STATE"
chmod -R u+rwX,g+rX,g-w,o-rwx "$STATE"

# 5. The configuration: the example with absolute paths (relative ones are resolved against the
# config's own folder, /etc/rostguiden, where the kiosk keeps nothing).
install -d -m 0755 "$ETC"
if [ -e "$ETC/kiosk.toml" ]; then
  say "keeping $ETC/kiosk.toml (delete it to get a fresh one)"
else
  auto_install=false
  [ "$DOWNLOADS" = 1 ] && auto_install=true
  written="$(mktemp)"
  {
    echo "# $ETC/kiosk.toml: written by scripts/install-kiosk.sh from kiosk.example.toml."
    echo "# Relative paths are resolved against the folder of this file ($ETC), so the paths"
    echo "# below are absolute: the documents in the application folder, and the folders the"
    echo "# systemd unit gives the kiosk (StateDirectory=, LogsDirectory=, CacheDirectory=)."
    echo "# The install script keeps this file when it runs again; delete it to get a fresh one."
    echo
    awk -v content="$APP/content" -v models="$STATE/models" -v cache="$CACHE" \
      -v eventlog="$LOGS/events.jsonl" -v auto="$auto_install" '
      /^\[/ { section = $0 }
      section == "[content]" && /^folder = / { print "folder = \"" content "\""; n++; next }
      section == "[matching]" && /^cache_folder = / { print "cache_folder = \"" cache "\""; n++; next }
      section == "[models]" && /^folder = / { print "folder = \"" models "\""; n++; next }
      section == "[models]" && /^auto_install = / { print "auto_install = " auto; n++; next }
      section == "[logging]" && /^event_log = / { print "event_log = \"" eventlog "\""; n++; next }
      { print }
      END { if (n != 5) { print "install-kiosk: kiosk.example.toml has changed: " n " of 5 keys found" > "/dev/stderr"; exit 3 } }
    ' "$APP/kiosk.example.toml"
  } >"$written"
  install -o root -g "$KIOSK_USER" -m 0640 "$written" "$ETC/kiosk.toml"
  rm -f "$written"
  say "wrote $ETC/kiosk.toml"
fi
# The kiosk user must be able to read it, and it must load.
chgrp "$KIOSK_USER" "$ETC/kiosk.toml"
chmod g+r "$ETC/kiosk.toml"
as_kiosk "$PY" "$APP/run.py" --config "$ETC/kiosk.toml" content check >/dev/null

# 6. The unit (and the drop-in for model downloads, when asked for).
install -d -m 0755 "$UNITS"
install -m 0644 "$APP/deploy/rostguiden.service" "$UNITS/rostguiden.service"
if [ "$DOWNLOADS" = 1 ]; then
  install -d -m 0755 "$UNITS/rostguiden.service.d"
  install -m 0644 "$APP/deploy/allow-model-download.conf" "$UNITS/rostguiden.service.d/"
fi
if [ "$SYSTEMCTL" = 1 ]; then
  if [ -n "$DEST" ]; then
    systemctl --root="$DEST" enable rostguiden.service
  elif [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable rostguiden.service
    systemctl restart rostguiden.service
    say "started: systemctl status rostguiden; journalctl -u rostguiden"
  else
    systemctl enable rostguiden.service
    say "systemd is not running here: the kiosk starts at the next boot"
  fi
else
  say "not calling systemctl: run 'systemctl daemon-reload && systemctl enable --now rostguiden'"
fi

# 7. What is still missing (speech models, devices), and how to fix it.
say "readiness (as $KIOSK_USER, with $ETC/kiosk.toml):"
as_kiosk "$PY" "$APP/run.py" --config "$ETC/kiosk.toml" doctor || true
say "done"
