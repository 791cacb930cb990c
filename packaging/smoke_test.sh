#!/usr/bin/env bash
# Smoke test of the built .deb (see smoke_test.py): packaging/smoke_test.sh [DEB] [--trials N]
set -euo pipefail
exec "${PYTHON:-python3}" "$(dirname "$0")/smoke_test.py" "$@"
