# LawTrace — make help lists every target.
GO        ?= go
BIN       := bin
STATICCHECK_VERSION := v0.8.2
export LANG := C.UTF-8

.PHONY: help build run test test-short lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

build: ## build lawtrace-server and lawtrace-fieldctl into bin/
	$(GO) build -o $(BIN)/ ./backend/cmd/lawtrace-server ./app/cmd/lawtrace-fieldctl

run: build ## start lawtrace-server with demo data on 127.0.0.1:8080 and sync a demo terminal to it
	LISTEN=$(LISTEN) bash backend/run-demo.sh

LISTEN ?= 127.0.0.1:8080

test: lint ## vet, staticcheck and every test with the race detector
	$(GO) test -race -count=1 ./...

test-short: ## the tests without the race detector, long cases skipped
	$(GO) test -short ./...

lint: ## go vet and staticcheck
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench: ## the benchmarks (figures in docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

clean: ## remove built binaries and demo data
	rm -rf $(BIN) .tmp
