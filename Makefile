# awsxc — run `make` or `make help` to list the targets.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GOFLAGS_BUILD := -trimpath -ldflags "$(LDFLAGS)"
PREFIX ?= /usr/local
BIN := bin

.DEFAULT_GOAL := help
.PHONY: help build install deps test unit cover e2e wine package-test check fmt-check vet staticcheck cross demo bench package screenshot clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

build: ## Build awsxc-cli and awsxc into ./bin
	CGO_ENABLED=0 go build $(GOFLAGS_BUILD) -o $(BIN)/awsxc-cli ./cmd/awsxc-cli
	go build $(GOFLAGS_BUILD) -o $(BIN)/awsxc ./cmd/awsxc

install: build ## Install the binaries into $(PREFIX)/bin
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/awsxc-cli $(BIN)/awsxc $(DESTDIR)$(PREFIX)/bin/

deps: ## Install what the integration tests use (Debian packages, Go modules); run as root
	scripts/deps.sh

test: unit e2e wine package-test ## Run every test: unit, integration, real-SDK e2e, Windows under Wine, packaging (no root needed)

unit: ## Go tests (unit and integration, with the race detector)
	go test -race -count=1 ./...

cover: ## Print each package's statement coverage; fail when cmd/awsxc-cli's is under 80%
	@mkdir -p $(BIN)
	@go test -count=1 -cover ./... > $(BIN)/cover.txt; status=$$?; cat $(BIN)/cover.txt; exit $$status
	@awk '$$2 == "github.com/awsxc/awsxc/cmd/awsxc-cli" { for (i = 1; i < NF; i++) if ($$i == "coverage:") { v = $$(i+1); sub("%", "", v) } } \
		END { if (v == "" || v + 0 < 80) { print "cmd/awsxc-cli: coverage " v "% is under 80%"; exit 1 } }' $(BIN)/cover.txt

e2e: ## botocore, the AWS CLI v2 and the JS SDK v3 fetch credentials from our servers
	test/e2e/run.sh

wine: ## The Windows .exe files under Wine: CLI goldens, -c on CRLF files, --exec, servers, tray (test/wine)
	go test -tags wine -count=1 ./test/wine

package-test: ## Build the packages and check their contents
	packaging/test.sh

check: fmt-check vet staticcheck cross test ## Everything CI checks: formatting, vet, staticcheck, cross-builds, tests

fmt-check: ## Fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet: ## go vet (with the build tag of test/wine)
	go vet -tags wine ./...

staticcheck: ## staticcheck (pinned in the tools module, tools/go.mod)
	go tool -modfile=tools/go.mod staticcheck -tags wine ./...

cross: ## Build for Windows and Linux/arm64, vet for macOS (CLI with CGO off)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build ./...
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go vet ./...
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go vet ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go build ./cmd/awsxc-cli

demo: ## Show every export mode on a throwaway AWS config (no AWS account needed)
	scripts/demo.sh

bench: ## Measure speed and memory; writes BENCHMARKS.md
	scripts/deps.sh bench
	scripts/bench.sh

package: ## Build .deb, .rpm, the Windows zip and SHA256SUMS into dist/
	VERSION=$(VERSION) packaging/package.sh

screenshot: ## Open the tray menu in a real panel (Xvfb + xfce4-panel) and save a PNG
	scripts/screenshot.sh tray/testdata/screenshot.png

clean: ## Remove build output
	rm -rf $(BIN) dist
