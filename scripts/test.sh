#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite, including ruff and mypy.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
exec .venv/bin/python -m pytest -n 4 --durations=10 "$@"
