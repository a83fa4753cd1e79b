# idgate — two commands on a fresh Debian machine: `make run` and `make test`.
# Every target installs what it needs (Debian packages, Go modules, models) idempotently.

GO         ?= go
VAR        ?= var
MODELS_DIR ?= $(VAR)/models
BIN        ?= bin/idgate
FUZZTIME   ?= 10s

# Debian packages: dlib and BLAS for go-face (cgo), the landmark model, PostgreSQL for the
# storage conformance suite. scripts/browser-test.sh installs Chromium itself when missing.
# Go runs with the default -mod=readonly: go.mod and go.sum are complete (go mod tidy).
APT_PKGS := build-essential pkg-config libdlib-dev libblas-dev liblapack-dev libjpeg62-turbo-dev \
            libatlas-base-dev libdlib-data postgresql

.PHONY: help deps models build run test crash bench fuzz lint clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

deps: ## install missing Debian packages and download Go modules
	@scripts/apt-deps.sh $(APT_PKGS)
	@command -v npm >/dev/null || scripts/apt-deps.sh npm  # npm packs the face-api weights
	@$(GO) mod download

models: deps ## build the dlib models go-face needs into $(MODELS_DIR) (idempotent)
	@scripts/models.sh $(MODELS_DIR)

build: deps ## build bin/idgate
	$(GO) build -o $(BIN) ./cmd/idgate

run: build models ## run the end-to-end demo (boarding with the built-in photos) under ./var
	$(BIN) demo --dir $(VAR) --models $(MODELS_DIR)

test: deps models ## vet, then every test (race detector on concurrent packages), against a real PostgreSQL too
	$(GO) vet ./...
	IDGATE_MODELS=$(CURDIR)/$(MODELS_DIR) scripts/with-postgres.sh $(GO) test -count=1 -timeout 30m ./...
	IDGATE_MODELS=$(CURDIR)/$(MODELS_DIR) $(GO) test -count=1 -race -timeout 30m $$(scripts/race-packages.sh)
	@scripts/goface-suite.sh $(CURDIR)/$(MODELS_DIR)
	@scripts/deploy-check.sh
	@scripts/browser-test.sh
	@scripts/oid4vp-interop.sh
	@scripts/keyattest-interop.sh
	@scripts/mdl-interop.sh
	@scripts/gobind-check.sh
	@$(MAKE) --no-print-directory crash

crash: deps ## SIGKILL the issuer (SQLite, PostgreSQL) and the gate under load, restart, check what survived
	@scripts/crash-test.sh

bench: deps models ## benchmarks (-benchmem -count 6) into var/bench/*.txt; compare with benchstat
	@mkdir -p $(VAR)/bench
	IDGATE_MODELS=$(CURDIR)/$(MODELS_DIR) $(GO) test -run '^$$' -bench . -benchmem -count 6 ./... | tee $(VAR)/bench/all.txt

fuzz: deps ## run every fuzz target for FUZZTIME each
	@scripts/fuzz-all.sh $(FUZZTIME)

lint: deps ## go vet and staticcheck
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...

clean: ## remove build output (keeps var/models)
	rm -rf bin $(VAR)/demo
