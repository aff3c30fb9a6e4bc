#!/usr/bin/env bash
# Sets up everything Xiaonuan needs on this machine: system packages, a Python
# 3.10 virtual environment in .venv and the pinned dependencies. Idempotent and
# quiet when nothing changed (a stamp holds the hash of the dependency files).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
# espeak-ng: speech out; sox: audio tools; libportaudio2: the microphone (sounddevice);
# chromium: the kiosk screen's browser and the tests that drive it (no browser downloads);
# fonts-wqy-microhei: Chinese characters on the screen (without it they are empty boxes);
# ffmpeg: Telegram voice notes (OGG/Opus) in and out;
# postgresql, redis-server: the scale-out layout (tests start throwaway servers on loopback);
# npm (only when no npm is on PATH, e.g. Node's own packages): installs axe-core, the accessibility
# engine the browser tests inject into every page.
SYSTEM_PACKAGES=(espeak-ng sox libportaudio2 chromium fonts-wqy-microhei ffmpeg postgresql redis-server)
command -v npm >/dev/null 2>&1 || SYSTEM_PACKAGES+=(npm)
AXE_VERSION=4.10.2

say() { echo "[setup] $*"; }

is_python310() {
  [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

find_python310() {
  local candidates=()
  command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=($(ls -d "$(pyenv root)"/versions/3.10*/bin/python3.10 2>/dev/null | sort -rV))
  fi
  candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
  local candidate
  for candidate in "${candidates[@]}"; do
    if is_python310 "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

install_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing system packages: ${missing[*]}"
    say "install them with: sudo apt-get install ${missing[*]}"
    say "(speech output stays off until espeak-ng is installed; the screen test needs chromium)"
  fi
}

install_python_packages() {
  local stamp="$VENV/.deps-stamp"
  local want; want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  if [ ! -x "$VENV/bin/python" ]; then
    local py
    if ! py=$(find_python310); then
      echo "Python 3.10 was not found (Rasa 3.6 needs Python 3.8-3.10)." >&2
      echo "Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv'." >&2
      exit 1
    fi
    say "creating $VENV with $py"
    "$py" -m venv "$VENV"
  fi
  say "installing Python dependencies (first time takes about two minutes)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip<24.1" 2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]" 2>&1 \
    | grep -v "^WARNING: Location" || true
  if ! "$VENV/bin/python" -c "import rasa, rasa_sdk, jieba, pyttsx3, sqlalchemy" >/dev/null 2>&1; then
    "$VENV/bin/python" -c "import rasa, rasa_sdk, jieba, pyttsx3, sqlalchemy" || true
    echo "Python dependencies failed to install" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
}

install_axe() {
  # axe-core from the npm registry into .venv/axe (gitignored, removed by make clean); the tests read
  # axe.min.js from there and never download anything while they run.
  local dir="$VENV/axe" file="$VENV/axe/node_modules/axe-core/package.json"
  if [ -f "$file" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$file"; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then
    say "npm is missing: the accessibility tests need it to install axe-core (apt-get install npm)"
    return 0
  fi
  say "installing axe-core $AXE_VERSION (accessibility tests)"
  mkdir -p "$dir"
  npm install --silent --no-save --no-audit --no-fund --no-package-lock --prefix "$dir" "axe-core@$AXE_VERSION" >/dev/null
}

install_system_packages
install_python_packages
install_axe
