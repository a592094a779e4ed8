# syntax=docker/dockerfile:1
# nglaunch image: build the server and the viewer with every dependency, run with production
# dependencies only, as a non-root user.
#
#   docker build -t nglaunch .
#   docker run -p 8080:8080 -v nglaunch-data:/data nglaunch        (embedded SQLite in /data)
#   docker compose up -d                                           (with Redis: docker-compose.yml)
#
# Expected size (measured on the Node 20 image; not re-measured on Node 24, as no Docker engine was
# at hand): about 260 MB unpacked, about 95 MB to pull. The node bookworm-slim base is about 200 MB
# of it (Debian slim ~75 MB, the Node binary ~100-120 MB, npm ~20 MB); the production
# node_modules about 53 MB (better-sqlite3 trimmed to its compiled addon below, zod, fastify and
# its plugins, ioredis, swagger-ui's assets); the built viewer about 7.5 MB (4.8 MB of
# Neuroglancer JS, CSS and wasm plus the .br/.gz siblings served precompressed); the compiled
# server under 1 MB. The toolchain (python3, g++) and the ~320 MB of dev dependencies
# (TypeScript, Vite, Biome, Neuroglancer's sources) stay in the build stages.

# One Node version for every stage: better-sqlite3 is compiled in one stage and loaded in another,
# so they must share the Node ABI. Node 24 is the current LTS (Node 20 reached end of life on
# 2026-04-30) and the major .ci/run tests on (test/deploy/container.test.ts keeps them equal);
# it satisfies package.json's engines (>=20.19) and Neuroglancer's build (>=22).
# Known problem: better-sqlite3 12 can abort under Node 24 when a statement is garbage-collected
# (README, "Test it"); until that is fixed, images using the embedded store should be built with
# --build-arg NODE_VERSION=22.23.
ARG NODE_VERSION=24.21

# 1. Build: dev dependencies, then the server (tsc -> dist/src) and the viewer (vite ->
#    dist/viewer). The full image has python3, make and g++ for better-sqlite3's node-gyp
#    fallback, should no prebuilt binary be downloadable.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
# The lockfile alone decides the dependencies, so this layer survives source edits. npm 11 (in the
# image) reads package.json's allowScripts, which approves better-sqlite3's and esbuild's install
# scripts; npm 10 runs install scripts as always, so both behave the same.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies, compiled against the same Node and glibc as the runtime. Depends on
#    the lockfile only, so BuildKit runs it alongside the build stage and caches it across edits.
FROM node:${NODE_VERSION}-bookworm AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
# better-sqlite3 keeps ~25 MB of SQLite sources and compiler objects next to its 2 MB addon; keep
# only the addon, and fail the build here rather than at start-up if it no longer loads.
RUN addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node \
 && mv "$addon" /tmp/ \
 && rm -rf node_modules/better-sqlite3/build node_modules/better-sqlite3/deps \
 && mkdir -p "$(dirname "$addon")" \
 && mv /tmp/better_sqlite3.node "$addon" \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# 3. Runtime.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# HOST: listen on every interface of the container, not only its loopback.
# DATA_DIR: the embedded link store (used when neither REDIS_URL nor REDIS_CLUSTER_NODES is set).
# NODE_ENV is not read by nglaunch; it is the convention some libraries tune themselves by.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and not writable by the service: only /data is.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json is needed at run time: its "type": "module" makes Node load dist/ as ES modules.
COPY package.json ./
COPY presets ./presets
COPY static ./static
COPY bin ./bin
# Created before VOLUME so that a new named volume starts out owned by the service's user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The official image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
# Liveness via Node's fetch (slim has no curl); follows PORT if it is overridden. The start-up
# takes about a second; the period leaves room for a slow disk.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The built server directly: `npm start` would first run scripts/build.mjs, which needs the dev
# dependencies this image does not have. server.js handles SIGTERM itself (graceful close within
# SHUTDOWN_TIMEOUT_MS), so it can run as PID 1 without an init.
CMD ["node", "dist/src/server.js"]
