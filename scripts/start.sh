#!/usr/bin/env bash
# Set up (if needed) and start a guided session: ./scripts/start.sh [EXERCISE] [options]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exercise=${1:-daily-check-in}
shift || true
exec .venv/bin/assistant run "$exercise" "$@"
