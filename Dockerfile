# syntax=docker/dockerfile:1
# gitbook-sync for GitLab CI (and any container runner): a static binary on
# a minimal non-root image. No git binary is needed: go-git does the work.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gitbook-sync ./cmd/gitbook-sync

# distroless/static: CA certificates and a nonroot user, nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gitbook-sync /usr/local/bin/gitbook-sync
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/gitbook-sync"]
CMD ["sync"]
