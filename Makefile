# Convenience targets; the README's two commands work without make.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/ztscan/ztscan/internal/version.Version=$(VERSION)

.PHONY: build scan test deps bench fuzz

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/ztscan ./cmd/ztscan

scan: build
	./bin/ztscan

# What the tests drive: sshd, nft, sudo, nginx, PostgreSQL, auditd, chrony,
# rsyslog, chromium, ... (.ci/deps lists them with the test that needs each).
deps:
	.ci/deps

test:
	$(GO) test ./...

bench: build
	./bench/run.sh

fuzz:
	./bench/fuzz.sh
