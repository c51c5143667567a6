#!/usr/bin/env bash
# `npm test`: every test — unit, integration (real Postgres + Temporal + worker processes) and the
# browser test (real Chromium). Installs what is missing first; the test setup starts services.
# The test Postgres cluster is kept between files of one run and stopped when the run ends
# (also on failure or Ctrl-C); `npx vitest` alone leaves it running for fast reruns.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPWISE_WITH_BROWSER=1 bash infra/install.sh
trap 'node --import tsx infra/stop-test-postgres.ts || true' EXIT
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
