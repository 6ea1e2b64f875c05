#!/usr/bin/env bash
# Set up (if needed) and start: ./scripts/start.sh [EXERCISE] [options]
# With no exercise (or only options), the spoken menu asks for one and the options
# go to the session it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ $# -eq 0 ] || [[ $1 == -* ]]; then
    exec .venv/bin/assistant "$@"
fi
exec .venv/bin/assistant run "$@"
