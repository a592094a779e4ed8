# syntax=docker/dockerfile:1
# nglaunch image: build the server and the viewer with every dependency, run with production
# dependencies only, as a non-root user.
#
#   docker build -t nglaunch .
#   docker run -p 8080:8080 -v nglaunch-data:/data nglaunch        (embedded SQLite in /data)
#   docker compose up -d                                           (with Redis: docker-compose.yml)
#
# Expected size (measured on the Node 20 image, which also carried better-sqlite3's addon; not
# re-measured on Node 24, as no Docker engine was at hand): about 260 MB unpacked, about 95 MB to
# pull. The node bookworm-slim base is about 200 MB of it (Debian slim ~75 MB, the Node binary
# ~100-120 MB, npm ~20 MB); the production node_modules about 50 MB (zod, fastify and its plugins,
# ioredis, swagger-ui's assets); the built viewer about 7.5 MB (4.8 MB of Neuroglancer JS, CSS and
# wasm plus the .br/.gz siblings served precompressed); the compiled server under 1 MB. The ~320 MB
# of dev dependencies (TypeScript, Vite, Biome, Neuroglancer's sources) stay in the build stage.
#
# Chromium, which renders preview images (README "Previews"), is most of the runtime stage: apt's
# figures for Debian bookworm's chromium 156 with --no-install-recommends and the fonts are about
# 220 MB to download and 700-770 MB unpacked (chromium itself 285 MB, chromium-common 65 MB, Mesa's
# LLVM 110 MB, GTK, ICU and ~220 smaller libraries; from `apt-get install --dry-run` and
# `apt-cache show` sizes, not measured on a built image). Build with --build-arg CHROMIUM=no to
# leave it out: the image is then as above, and previews are fallback cards (PREVIEWS=auto).

# Node 24 is the current LTS (Node 20 reached end of life on 2026-04-30) and the major .ci/run
# tests on (test/deploy/container.test.ts keeps them equal); it satisfies package.json's engines
# (>=20.19) and Neuroglancer's build (>=22). On it the embedded store uses Node's own node:sqlite
# (src/links/sqlite.ts), so no stage compiles a native addon: better-sqlite3, the optional
# dependency that serves Node 20 only, is installed without its install script (which would
# compile it) and never loaded. esbuild's script, which checks its platform binary, still runs.
ARG NODE_VERSION=24.21

# 1. Build: dev dependencies, then the server (tsc -> dist/src), the browser scripts (esbuild ->
#    dist/static) and the viewer (vite -> dist/viewer).
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# The lockfile alone decides the dependencies, so this layer survives source edits. npm 11 (in the
# image) reads package.json's allowScripts.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild esbuild
COPY . .
RUN npm run build

# 2. Production dependencies. Depends on the lockfile only, so BuildKit runs it alongside the
#    build stage and caches it across edits. Optional dependencies stay: the fallback card's
#    rasteriser (@resvg/resvg-js) ships its native binary as one optional package per platform,
#    and without it the service cannot start. better-sqlite3 (optional too) is only for Node 20
#    (src/links/sqlite.ts); this image runs Node 24's node:sqlite, so it is removed (11 MB).
#    Fails the build here rather than at start-up if SQLite cannot be opened or the rasteriser
#    cannot load.
FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts \
    --no-audit --no-fund \
 && rm -rf node_modules/better-sqlite3 \
 && node -e "new (require('node:sqlite').DatabaseSync)(':memory:').prepare('select 1').get()" \
 && node -e "require('@resvg/resvg-js')"

# 3. Runtime.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# Previews are rendered by Debian's chromium (headless, software WebGL) with fonts for the caption;
# --build-arg CHROMIUM=no leaves both out (the service then serves fallback cards).
ARG CHROMIUM=yes
RUN if [ "$CHROMIUM" != "no" ]; then \
      apt-get update \
   && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
   && rm -rf /var/lib/apt/lists/*; \
    fi
# HOST: listen on every interface of the container, not only its loopback.
# DATA_DIR: the embedded link store (used when neither REDIS_URL nor REDIS_CLUSTER_NODES is set).
# NODE_ENV is not read by nglaunch; it is the convention some libraries tune themselves by.
# PREVIEWS / CHROMIUM_PATH: render previews with the chromium installed above (auto: fallback
# cards when it was left out; off: never render).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    PREVIEWS=auto \
    CHROMIUM_PATH=/usr/bin/chromium
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
