#!/usr/bin/env bash
# The whole test suite from scratch: venv + Python deps, Debian packages (Chromium, PHP,
# WordPress, PHPUnit), lint, doctests, then every test — the cloud suite on SQLite and on
# PostgreSQL. Every phase runs even when an earlier one fails; the exit code is non-zero if any did.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh test
bash scripts/system-deps.sh || exit 1
export PYTHONDONTWRITEBYTECODE=1
failed=()
phase() {
  local name="$1"; shift
  echo "== $name" >&2
  "$@" || failed+=("$name")
}
phase "ruff" .venv/bin/ruff check .
phase "doctests" .venv/bin/python -m pytest --doctest-modules --ignore-glob='*/__main__.py' \
  luxebrain online_models connector_agent wp_plugin_bridge cloud_api migrations
phase "tests (SQLite)" .venv/bin/python -m pytest "$@"
phase "cloud tests (PostgreSQL at 127.0.0.1:5432)" \
  env LUXEBRAIN_TEST_DATABASE=postgresql .venv/bin/python -m pytest tests/cloud "$@"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED phases: %s\n' "${failed[*]}" >&2
  exit 1
fi
echo "all phases passed" >&2
