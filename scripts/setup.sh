# Sourced by scripts/kiosk.sh and scripts/test.sh: installs what the project needs on Debian
# (as root) and creates the virtual environment .venv with the given pip extras.
#   usage: . scripts/setup.sh EXTRAS   (e.g. "kiosk" or "test,bench")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRAS="${1:-kiosk}"

# System packages: the speech engine, the audio library, the echo canceller (speexdsp), ALSA
# tools, the Swedish and French thesauri (words of the same meaning), and Python's venv.
PACKAGES=(espeak-ng libportaudio2 libspeexdsp1 alsa-utils mythes-sv mythes-fr ca-certificates)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing+=(python3 python3-venv python3-pip)
fi
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: run as root (or install these packages first): ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python environment; pip is quiet when everything is already installed.
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  python3 -m venv "$VENV"
fi
stamp="$VENV/.installed-$EXTRAS"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  echo "setup: installing Python packages ($EXTRAS)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[$EXTRAS]"
  touch "$stamp"
fi
PY="$VENV/bin/python"
export PY
