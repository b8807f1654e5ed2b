# syntax=docker/dockerfile:1
# The momentum image, built once and run by docker-compose.yml:
#   build       node_modules with dev dependencies, then `npm run build` (dist/)
#   production  the default (last) stage: production dependencies only, the built dist/ and the files the
#               command reads at run time (sql/ migrations, reports/ templates, the configuration);
#               runs as the unprivileged user `node`, with MOMENTUM_HOME on a volume
#   jupyter     JupyterLab with the project's tslab kernel over the built package (notebooks mounted)
#
#   docker build -t momentum .
#   docker build --target jupyter -t momentum-jupyter .
#
# No secret is baked in: DATABASE_URL, SMTP_URL, MOMENTUM_LINK_SECRET and the rest come from the
# environment when a container starts (docker-compose.yml reads them from .env).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first: this layer is reused while package*.json stay the same. No install scripts:
# `prepare` would build before the sources are here, and the native modules ship prebuilt binaries.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# The build stage keeps the dev dependencies, tslab (the kernel) among them, and dist/src, which the
# notebooks import as ../dist/src/index.js: the notebooks are mounted at /app/notebooks.
FROM build AS jupyter
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/jupyter \
    && /opt/jupyter/bin/pip install --no-cache-dir jupyterlab==4.6.4
# The project kernelspec (jupyter/kernels/tslab/kernel.json) runs `tslab` from node_modules/.bin.
ENV JUPYTER_PATH=/app/jupyter \
    PATH=/app/node_modules/.bin:/opt/jupyter/bin:$PATH
USER node
EXPOSE 8888
# The token comes from JUPYTER_TOKEN (jupyter_server reads it); unset, JupyterLab makes one and logs it.
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--ServerApp.root_dir=/app/notebooks"]

FROM node:20-bookworm-slim AS production
ENV NODE_ENV=production \
    MOMENTUM_HOME=/var/lib/momentum
WORKDIR /app
COPY package.json package-lock.json ./
# npm's cache is a build cache mount, so it stays out of the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# Owned by root and read-only to the user that runs: the code cannot be changed by the process.
COPY --from=build /app/dist ./dist
COPY --from=build /app/sql ./sql
COPY --from=build /app/reports ./reports
COPY --from=build /app/momentum.config.json ./
# Local state (mail outbox, report pages, the link secret): private to the user, on a volume.
RUN mkdir -p "$MOMENTUM_HOME" && chown node:node "$MOMENTUM_HOME" && chmod 700 "$MOMENTUM_HOME"
USER node
VOLUME ["/var/lib/momentum"]
# GET /health of `momentum schedule` (schedule.healthPort).
EXPOSE 8787
CMD ["node", "dist/cli/cli.js", "--help"]
