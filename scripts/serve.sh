#!/usr/bin/env bash
# Install, migrate, load the demo city if the database is empty, and serve on http://127.0.0.1:5000
# (DATABASE_URL picks another database; HOST and PORT another address).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask demo-data --if-empty
echo "Tanji is at http://${HOST:-127.0.0.1}:${PORT:-5000}/  (sign in as regulator@jinwan.gov.cn / Tanji-demo-2026)"
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
