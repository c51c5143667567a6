#!/usr/bin/env bash
# `npm test`: every test — unit, integration (real Postgres + Temporal + worker processes) and the
# browser test (real Chromium). Installs what is missing first; the test setup starts services.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPWISE_WITH_BROWSER=1 bash infra/install.sh
npx tsc -p tsconfig.json --noEmit
exec npx vitest run "$@"
