# One image for every Stepwise Node process; the command picks the role:
#   web:          node infra/web-start.mjs -p 3000 -H 0.0.0.0   (needs STEPWISE_API_TOKEN off loopback)
#   migrations:   node --import tsx prisma/src/migrate-cli.ts
#   orchestrator: node --import tsx orchestrator/src/main.ts
#   compute:      node --import tsx workers/src/main.ts
# Build from the repository root: docker build -f infra/docker/node.Dockerfile .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc ./
COPY core/package.json core/
COPY prisma/package.json prisma/
COPY workers/package.json workers/
COPY service/package.json service/
COPY orchestrator/package.json orchestrator/
COPY web/package.json web/
COPY client/package.json client/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN node prisma/scripts/generate.mjs && node client/build.mjs && (cd web && npx next build)

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app /app
USER node
CMD ["node", "--import", "tsx", "orchestrator/src/main.ts"]
