#!/usr/bin/env bash
# The demo: a local WooCommerce seeded with real orders, the agent syncing it (backfill, then
# incremental sync and webhooks while new orders are placed), models learning, the API serving.
# Runs until Ctrl-C; `--for SECONDS` checks its own work, stops and exits 0 only if all worked.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh run
exec .venv/bin/luxebrain-agent demo "$@"
