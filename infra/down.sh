#!/usr/bin/env bash
# `npm run down`: stop a stack started by `npm run up` (also from another terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx infra/down.ts
