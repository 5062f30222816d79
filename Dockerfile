# syntax=docker/dockerfile:1
# One image for every app; the compose file picks the process with `command` (node <app>/dist/<entry>.js).
# Build stage: install exactly the lockfile, generate the Prisma client, compile every workspace
# (tsc -b) and lay out what the runtime needs (scripts/runtime-layout.mjs: manifests, dist/, migrations).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY packages ./packages
COPY apps ./apps
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund \
 && npm run db:generate \
 && npm run build \
 && node scripts/runtime-layout.mjs /runtime

# Runtime stage: compiled JavaScript and production dependencies only (no tsx, TypeScript, jest or
# Prisma CLI), non-root. --omit=optional as well: npm keeps packages that are both a devDependency and
# an optional peer (prisma, typescript) unless both are omitted; the only real optional dependency lost
# is msgpackr-extract, a native speed-up whose pure-JS fallback bullmq uses instead.
# test/runtime-image.test.ts runs these same steps in a temp folder and starts ingest from it.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /runtime /app
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --no-audit --no-fund
USER node
EXPOSE 3000 3001 4010 9464
# node itself is the process (no npm in between), so SIGTERM reaches the app's graceful shutdown;
# compose adds `init: true` (tini as PID 1) to forward signals and reap children.
CMD ["node", "apps/ingest/dist/main.js"]
