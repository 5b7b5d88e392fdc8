# syntax=docker/dockerfile:1
# Stage 1: install everything, type-check, build the dashboard and compile the server to dist/, so
# a broken tree never becomes an image.
FROM node:20-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY drizzle ./drizzle
COPY scripts ./scripts
COPY schema.graphql ./
COPY web ./web
RUN npx tsc --noEmit \
 && npx tsc --noEmit -p web/tsconfig.json \
 && npx tsx scripts/print-schema.ts --check \
 && node scripts/build-web.mjs \
 && npx tsc -p tsconfig.build.json

# Stage 2: production dependencies and the compiled JavaScript only, as the npm package ships it
# (no TypeScript, tsx or Vite at run time).
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=check /app/dist ./dist
COPY --from=check /app/drizzle ./drizzle
COPY --from=check /app/web/dist ./web/dist
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
