# syntax=docker/dockerfile:1
#
# The Action's image: a static musl binary on an empty base.
#
# The release workflow builds each platform natively (an amd64 and an arm64 runner),
# so TARGETARCH picks the matching musl target. No USER (the runner's file commands
# are created by the runner user and need root to be appended to) and no WORKDIR (the
# runner mounts the workspace at /github/workspace and passes --workdir itself).
# TLS: the webpki roots are compiled into the binary; SSL_CERT_FILE adds a CA bundle.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim AS builder
ARG TARGETARCH
# musl-gcc compiles the C parts of the TLS stack (ring) for the musl target.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/*
ENV CC_x86_64_unknown_linux_musl=musl-gcc \
    CC_aarch64_unknown_linux_musl=musl-gcc \
    CARGO_TERM_COLOR=never
RUN case "${TARGETARCH:-amd64}" in \
        amd64) echo x86_64-unknown-linux-musl ;; \
        arm64) echo aarch64-unknown-linux-musl ;; \
        *) echo "unsupported TARGETARCH '${TARGETARCH}' (amd64 and arm64 are built)" >&2; exit 1 ;; \
    esac > /rust-target \
    && rustup target add "$(cat /rust-target)"
COPY . /build
# Only the Action's package is compiled. The sandbox is a workspace member (its
# manifest is needed to load the workspace) and a dev-dependency: it is not built.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --manifest-path /build/Cargo.toml --release --locked \
        --target "$(cat /rust-target)" -p genesys-bot-deploy \
    && install -m 0755 "/build/target/$(cat /rust-target)/release/genesys-bot-deploy" /genesys-bot-deploy

FROM scratch
LABEL org.opencontainers.image.title="genesys-bot-deploy" \
      org.opencontainers.image.description="GitHub Action that publishes a Genesys Cloud bot flow version safely" \
      org.opencontainers.image.licenses="MIT"
COPY --from=builder /genesys-bot-deploy /genesys-bot-deploy
ENTRYPOINT ["/genesys-bot-deploy"]
