#!/usr/bin/env bash
# Dependency audit: every pinned package of requirements.txt against the known-vulnerability database
# (pip-audit, PyPI's advisory data). Fails on any known vulnerability. When the advisory service cannot be
# reached (this network allows the package index only), it says so and passes, unless TANJI_REQUIRE_AUDIT=1.
# pip-audit lives in its own virtual environment so that its dependencies never mix with the app's.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-audit/bin/pip-audit ]; then
  python3.11 -m venv .venv-audit 2>/dev/null || python3 -m venv .venv-audit
  .venv-audit/bin/pip install -q pip-audit==2.10.1 2>&1 | grep -v "^WARNING: Location" || true
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
.venv-audit/bin/pip-audit -r requirements.txt --no-deps --disable-pip --progress-spinner off \
  --format json --output "$report" 2>/dev/null || status=$?
.venv-audit/bin/python - "$report" "$status" <<'PY'
import json, os, sys
path, status = sys.argv[1], int(sys.argv[2])
try:
    deps = json.load(open(path))["dependencies"]
except (OSError, ValueError, KeyError):
    print(f"!! pip-audit failed (exit {status}) without a report", file=sys.stderr)
    sys.exit(1)
audited = [d for d in deps if "skip_reason" not in d]
found = [(d["name"], d["version"], v["id"], v.get("fix_versions")) for d in audited for v in d.get("vulns", [])]
for name, version, vid, fixes in found:
    print(f"!! {name} {version}: {vid} (fixed in {', '.join(fixes) or 'no release yet'})")
if found:
    sys.exit(1)
if not audited:
    print(f"!! dependency audit: the advisory service could not be reached for any of {len(deps)} packages;"
          " nothing was checked", file=sys.stderr)
    sys.exit(1 if os.environ.get("TANJI_REQUIRE_AUDIT") == "1" else 0)
skipped = len(deps) - len(audited)
print(f"== dependency audit: {len(audited)} packages checked, no known vulnerabilities"
      + (f" ({skipped} could not be checked)" if skipped else ""))
PY
