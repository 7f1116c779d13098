# Images pinned by exact version (the Node.js the repository is tested with); docs/deployment.md says how to move them.
# test/integration/docker-build.spec.ts replays both stages without a Docker engine: keep COPY and RUN plain
# (paths under /app, no shell tricks) so it can.

# Build stage: every dependency, the repository's sources, the compiled output in dist/ and the verifier's tarball.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY packages packages
COPY scripts scripts
COPY standards standards
# The case JSON schema is served from docs/schemas (GET /cases/schema/v1).
COPY docs docs
RUN npm run build
# pharmatrace-verify as a package of its own: packages/verify/package.json declares all it needs; prepack builds it.
RUN mkdir -p /app/pack && npm pack ./packages/verify --pack-destination /app/pack

# Runtime stage: production dependencies only (no compiler, bundler, solc, anvil or embedded Postgres),
# the compiled output, the GS1 standards files, the docs and the pharmatrace-verify command.
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/pack /tmp/pack
RUN npm install --global --no-audit --no-fund /tmp/pack/pharmatrace-verify-*.tgz && npm cache clean --force && rm -rf /tmp/pack
COPY --from=build /app/dist dist
# standardsDir() looks for ../../../../standards from dist/libs/gs1/src, i.e. /app/standards.
COPY standards standards
# Served as plain text under /docs (apps/api/src/web/docs.catalog.ts looks beside dist/).
COPY README.md ./
COPY docs docs
# The deploy service writes the registry address here (a named volume inherits this owner).
RUN mkdir -p /deploy && chown node:node /deploy
USER node
EXPOSE 3000
# Node flags as scripts/dev-services/app.process.ts NODE_FLAGS gives them (the young generation's size).
CMD ["node", "--max-semi-space-size=64", "dist/apps/api/src/main.js"]
