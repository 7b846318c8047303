# rolegate in a container: built in one stage, run from the compiled dist/ with only the
# production dependencies in the next, as an unprivileged user.
#   docker build -t rolegate .
#   docker run --env-file rolegate.env -v "$PWD/rolegate.yml:/app/rolegate.yml:ro" -p 3000:3000 rolegate

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
# npm ci runs scripts/prepare.mjs: prisma generate, then tsc into dist/.
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    ROLEGATE_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
COPY manifest.yml rolegate.example.yml ./
# prepare.mjs finds no build tools here and keeps the dist/ copied above.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
    && mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Alive, not ready: a container health check is what restarts a process, and a database or Slack
# outage is no reason to restart one. Readiness (/readyz) is for the orchestrator's routing.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The heap budget is npm start's: rolegate holds ~50 MB of live objects, and without a budget
# V8 lets garbage pile up towards the machine's memory before collecting it.
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=4", "dist/main.js"]
