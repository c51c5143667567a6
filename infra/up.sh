#!/usr/bin/env bash
# `npm run up`: install what is missing, then start the whole stack and a demo study.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/install.sh
exec node --import tsx infra/up.ts "$@"
