# syntax=docker/dockerfile:1
# Build stage: Swift 6 with a statically linked Swift runtime.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libcurl4-openssl-dev libsqlite3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product drgw --static-swift-stdlib -Xswiftc -cross-module-optimization
RUN mkdir -p /out \
    && bin="$(swift build -c release --show-bin-path)" \
    && cp "$bin/drgw" /out/ \
    && cp -R "$bin"/*.resources /out/

# Runtime stage: slim Debian with libcurl, SQLite and CA certificates only.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libcurl4 libsqlite3-0 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/drgw --create-home drgw
COPY --from=build /out/ /usr/local/bin/
USER drgw
ENV DRGW_CONFIG=/etc/drgw/drgw.yaml DRGW_HOST=0.0.0.0 DRGW_PORT=8080 \
    DRGW_STORE_URL=sqlite:///var/lib/drgw/drgw.sqlite
VOLUME ["/var/lib/drgw"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${DRGW_PORT}/healthz" || exit 1
ENTRYPOINT ["/usr/local/bin/drgw", "serve"]
