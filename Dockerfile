# vigil daemon image. Build: docker build -t vigil .   (commands and options: docs/deployment.md)
# Run:   docker run -p 8093:8093 \
#          -v /var/run/docker.sock:/var/run/docker.sock:ro \
#          --group-add "$(stat -c %g /var/run/docker.sock)" \
#          -v vigil-data:/var/lib/vigil \
#          -e PROMETHEUS_URL=http://prometheus:9090 vigil
# The daemon runs as the non-root user `vigil`: to read the Docker socket it needs the socket's
# group (--group-add with the socket's gid). Mount your own config at /etc/vigil/vigil.yaml and
# SLO files at /etc/vigil/slo to replace the shipped ones.

# The base image: any Debian bookworm image with Node.js 20 (and npm) in /usr/local.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: full dependencies, TypeScript compiled to dist/, the status page bundled, then dev
# dependencies dropped ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# TypeScript to dist/, the status page's bundle (esbuild, uPlot) to dist/ui/assets/; one registry
# download per build: the runtime stage takes the pruned node_modules from here.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies only, compiled output, shipped config ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
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
# `docker stop` sends SIGTERM; vigil writes its store and exits within 2 s (well inside the
# engine's 10 s grace). Node as PID 1 gets no default signal handling, so vigil handles it.
STOPSIGNAL SIGTERM
# Slim images have no curl: Node's own fetch asks the daemon's health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.VIGIL_LISTEN_PORT||8093)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run", "--config", "/etc/vigil/vigil.yaml"]
