# Compute worker for NVIDIA GPU hosts: onnxruntime-node with its CUDA 12 execution provider.
# Build from the repository root: docker build -f infra/docker/compute-gpu.Dockerfile .
FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y --no-install-recommends nodejs && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=cuda12 STEPWISE_DEVICE=auto
COPY package.json package-lock.json .npmrc ./
COPY core/package.json core/
COPY prisma/package.json prisma/
COPY workers/package.json workers/
COPY service/package.json service/
COPY orchestrator/package.json orchestrator/
COPY web/package.json web/
COPY client/package.json client/
RUN npm ci --no-audit --no-fund --workspace @stepwise/workers --include-workspace-root \
 && npm rebuild onnxruntime-node --foreground-scripts
COPY core core
COPY workers workers
USER 1000
CMD ["node", "--import", "tsx", "workers/src/main.ts"]
