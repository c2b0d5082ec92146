# Multi-stage build: the web app, the server, then a small runtime image with both.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npx vite build

FROM rust:1.95-bookworm AS server
WORKDIR /src
COPY Cargo.toml Cargo.lock clippy.toml ./
COPY backend/ backend/
# The workspace also lists the benchmark baseline (not built here).
COPY bench/baseline/ bench/baseline/
RUN cargo build --release --locked -p rapport

FROM debian:bookworm-slim
# postgresql-client (15, like the database image) for `rapport backup` and `rapport restore`.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl postgresql-client \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 rapport \
    && mkdir -p /var/lib/rapport/backups && chown rapport /var/lib/rapport/backups
COPY --from=server /src/target/release/rapport /usr/local/bin/rapport
COPY --from=web /src/frontend/dist /usr/share/rapport/web
ENV BIND_ADDR=0.0.0.0:8080 STATIC_DIR=/usr/share/rapport/web LOG_FORMAT=json BACKUP_DIR=/var/lib/rapport/backups
USER rapport
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:8080/api/ready || exit 1
CMD ["rapport", "serve"]
