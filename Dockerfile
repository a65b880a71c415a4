# syntax=docker/dockerfile:1
# Images of the released binary. goreleaser (dockers_v2 in .goreleaser.yaml)
# builds them with buildx, after putting each platform's binary in the build
# context at linux/amd64/gitbook-sync, linux/arm64/gitbook-sync. Nothing is
# compiled here, so the image holds the very binary of the release archives.
# To build them locally: goreleaser release --snapshot --clean
#
# Two targets on the same distroless base (CA certificates, the nonroot user
# 65532, no package manager). No git binary is needed: go-git does the work.

# shell: for CI runners that run `script:` through a shell. GitLab Runner
# starts the job container with `sh -c <detect-shell script>`, which needs
# `sh` on PATH; distroless's debug variant adds busybox (and /busybox to
# PATH). Its entrypoint, /busybox/sh, would receive the runner's `sh -c …`
# as a script to run, so the entrypoint is cleared: jobs need no
# `entrypoint: [""]`.
FROM gcr.io/distroless/static-debian12:debug-nonroot AS shell
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/gitbook-sync /usr/local/bin/gitbook-sync
USER nonroot:nonroot
ENTRYPOINT []
CMD ["/busybox/sh"]

# static: for `docker run ghcr.io/gitbook-sync/gitbook-sync plan`: the binary
# and nothing else, not even a shell.
FROM gcr.io/distroless/static-debian12:nonroot AS static
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/gitbook-sync /usr/local/bin/gitbook-sync
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/gitbook-sync"]
CMD ["--help"]
