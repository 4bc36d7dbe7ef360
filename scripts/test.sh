#!/usr/bin/env bash
# The whole test suite from scratch: venv + Python deps, Debian packages (Chromium, PHP,
# WordPress, PHPUnit), lint, then every test — the cloud suite on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh test
bash scripts/system-deps.sh
export PYTHONDONTWRITEBYTECODE=1
echo "== ruff" >&2
.venv/bin/ruff check .
echo "== doctests" >&2
.venv/bin/python -m pytest --doctest-modules --ignore-glob='*/__main__.py' \
  luxebrain online_models connector_agent wp_plugin_bridge cloud_api migrations
echo "== tests (SQLite)" >&2
.venv/bin/python -m pytest "$@"
if [ -d tests/cloud ]; then
  echo "== cloud tests (PostgreSQL at 127.0.0.1:5432)" >&2
  LUXEBRAIN_TEST_DATABASE=postgresql .venv/bin/python -m pytest tests/cloud "$@"
fi
