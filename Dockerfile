# One image for the API and the worker (the command picks which). Runs the TypeScript sources
# with tsx, so there is no build output to keep in step with the code.
#   docker build -t dnc-service .
#   docker run dnc-service                                              # API
#   docker run dnc-service node --import tsx apps/worker/src/main.ts    # worker

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY packages/shared/package.json packages/shared/
COPY packages/client/package.json packages/client/
RUN pnpm install --frozen-lockfile --prod

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app /app
COPY --chown=root:root tsconfig.base.json tsconfig.json ./
COPY --chown=root:root apps apps
COPY --chown=root:root packages packages
# The code is root-owned and read-only to the service user.
USER node
EXPOSE 3000 9464
# Healthy when either the API (PORT) or the worker (WORKER_METRICS_PORT) answers /healthz.
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "const up = (p) => fetch('http://127.0.0.1:' + p + '/healthz').then(r => r.ok, () => false); Promise.all([up(process.env.PORT || 3000), up(process.env.WORKER_METRICS_PORT || 9464)]).then(([a, w]) => process.exit(a || w ? 0 : 1))"
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
