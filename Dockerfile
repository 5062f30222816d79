# One image for every app; the compose file picks the process with `command`.
# Build stage: install exactly the lockfile, generate the Prisma client, type-check.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json tsconfig.json prisma.config.ts ./
COPY packages ./packages
COPY apps ./apps
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund \
 && npm run db:generate \
 && npm run typecheck

# Runtime stage: no build caches, non-root user. Apps run from TypeScript source with tsx,
# the same way as in development, so what was tested is what runs.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 3001 4010 9464
CMD ["npm", "run", "start:ingest"]
