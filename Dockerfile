# vigil daemon image. Build: docker build -t vigil .
# Run:   docker run -p 8093:8093 -v /var/run/docker.sock:/var/run/docker.sock:ro \
#          -e PROMETHEUS_URL=http://prometheus:9090 vigil
# Mount your own config at /etc/vigil/vigil.yaml and SLO files at /etc/vigil/slo to replace the
# shipped ones.

# --- build: full dependencies, TypeScript compiled to dist/, the status page bundled ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# TypeScript to dist/, then the status page's bundle (esbuild, uPlot) to dist/ui/assets/.
RUN npm run build

# --- runtime: production dependencies only, compiled output, shipped config ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The config names SLO files relative to itself, so both live together under /etc/vigil.
COPY vigil.yaml /etc/vigil/vigil.yaml
COPY slo /etc/vigil/slo
RUN groupadd --system vigil \
 && useradd --system --gid vigil --home-dir /var/lib/vigil --shell /usr/sbin/nologin vigil \
 && mkdir -p /var/lib/vigil \
 && chown vigil:vigil /var/lib/vigil
# Inside a container the API must be reachable from outside it; the store snapshot goes to a
# folder the non-root user owns (mount a volume there to keep it across restarts).
ENV VIGIL_LISTEN_HOST=0.0.0.0 \
    VIGIL_LISTEN_PORT=8093 \
    VIGIL_DATA_DIR=/var/lib/vigil
USER vigil
EXPOSE 8093
VOLUME ["/var/lib/vigil"]
# Slim images have no curl: Node's own fetch asks the daemon's health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.VIGIL_LISTEN_PORT||8093)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run", "--config", "/etc/vigil/vigil.yaml"]
