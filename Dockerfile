# One image for the API and the worker (the command picks which): the compiled JavaScript of
# `pnpm build` run by plain node, with production dependencies only (no TypeScript, no tsx).
#   docker build -t dnc-service .
#   docker run dnc-service                                               # API
#   docker run dnc-service node apps/worker/dist/main.js                 # worker
#   docker run dnc-service node packages/shared/dist/db/migrate-cli.js   # migrations
#   docker run dnc-service node apps/cli/dist/main.js keys create --team team_acme --json

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# The workspace's manifests only, so dependency layers are rebuilt only when dependencies change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY packages/shared/package.json packages/shared/
COPY packages/client/package.json packages/client/

# Compiles every package to its dist/ (tsc -b with project references).
FROM manifests AS build
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps apps
COPY packages packages
COPY scripts scripts
RUN pnpm build && find apps/*/dist packages/*/dist -name .tsbuildinfo -delete

FROM manifests AS prod-deps
RUN pnpm install --frozen-lockfile --prod

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Manifests and production node_modules, then the compiled code; no sources. Root-owned and
# read-only to the service user.
COPY --from=prod-deps /app ./
COPY --from=build /app/packages/shared/dist packages/shared/dist
COPY --from=build /app/packages/client/dist packages/client/dist
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
COPY --from=build /app/apps/cli/dist apps/cli/dist
USER node
EXPOSE 3000 9464
# Healthy when either the API (PORT) or the worker (WORKER_METRICS_PORT) answers /healthz.
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "const up = (p) => fetch('http://127.0.0.1:' + p + '/healthz').then(r => r.ok, () => false); Promise.all([up(process.env.PORT || 3000), up(process.env.WORKER_METRICS_PORT || 9464)]).then(([a, w]) => process.exit(a || w ? 0 : 1))"
# The heap flags: scripts/node-flags.mjs says why.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=10", "apps/api/dist/main.js"]
