#!/usr/bin/env bash
# Create .venv, install the pinned packages and compile the translations. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Tanji needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "Could not create a virtual environment. On Debian: apt-get install python3-venv" >&2
    exit 1
  }
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/pybabel -q compile -d app/translations

# The font every PDF embeds (config.PDF_FONT_PATH); without it PDFs fall back to a CID font that is not embedded.
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] && [ -z "${TANJI_PDF_FONT:-}" ] &&
  command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then as_root=()
  elif command -v sudo >/dev/null; then as_root=(sudo -n)
  else as_root=(false)
  fi
  { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null; } ||
    echo "!! could not install fonts-wqy-zenhei: PDFs use the CID font STSong-Light (not embedded)" >&2
fi
