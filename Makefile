# LawTrace — make help lists every target.
GO        ?= go
BIN       := bin
STATICCHECK_VERSION := v0.8.2
export LANG := en_US.UTF-8

.PHONY: help build run test test-short lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

build: ## build lawtrace-server and lawtrace-fieldctl into bin/
	$(GO) build -o $(BIN)/ ./backend/cmd/lawtrace-server ./app/cmd/lawtrace-fieldctl

run: build ## start lawtrace-server with demo data on 127.0.0.1:8080 and sync a demo terminal to it
	LISTEN=$(LISTEN) bash backend/run-demo.sh

LISTEN ?= 127.0.0.1:8080

# The end-to-end tests of lawtrace-server assert latencies the requirements
# state (a board row within 1 s of its acknowledgement, three instances
# behind nginx): they run after the other packages, not beside the app's
# race-instrumented screen tests on the same two cores.
E2E := ./backend/cmd/lawtrace-server

test: lint ## vet, staticcheck and every test with the race detector
	$(GO) test -race -count=1 -timeout 30m $$($(GO) list ./... | grep -vx 'lawtrace/backend/cmd/lawtrace-server')
	$(GO) test -race -count=1 -timeout 30m $(E2E)

test-short: ## the tests without the race detector, long cases skipped
	$(GO) test -short ./...

lint: ## gofmt, go vet and staticcheck
	@unformatted=$$($$($(GO) env GOROOT)/bin/gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench: ## the benchmarks (figures in docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

TERMINALS ?= 200
BOARDS    ?= 50
.PHONY: bench-load
bench-load: ## the live board under load: TERMINALS simulated terminals and BOARDS boards against bin/lawtrace-server, beside a minimal fan-out floor
	$(GO) build -o $(BIN)/ ./backend/cmd/lawtrace-server ./backend/cmd/lawtrace-bench-load
	$(BIN)/lawtrace-bench-load -server $(BIN)/lawtrace-server -terminals $(TERMINALS) -boards $(BOARDS)

clean: ## remove built binaries and demo data
	rm -rf $(BIN) .tmp

# The Fyne field app (docs/app.md). fyne packaging tool, pinned:
FYNE      := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4
FIELD_DIR := app/cmd/lawtrace-field
APP_ID    := cn.lawtrace.field

.PHONY: app android ios screenshots

app: ## build the Fyne field app and run it on the desktop with the demo data (.tmp/field-demo)
	$(GO) build -o $(BIN)/ ./$(FIELD_DIR)
	rm -rf .tmp/field-demo
	$(BIN)/lawtrace-field --home .tmp/field-demo --demo --server ws://$(LISTEN)/sync

android: ## package the field app as an APK in dist/ (needs an Android NDK, API >= 21, in ANDROID_NDK_HOME)
	GOOS=android GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./app/internal/field/capture/
	@test -n "$$ANDROID_NDK_HOME" || { echo "make android: no Android NDK. Only the capture package was checked for Android (go vet, CGO_ENABLED=0, above); the APK needs cgo with the NDK's clang for Fyne's mobile driver, go-sqlite3 and the JNI bridge of the camera: install an NDK (r21 or later, API >= 21) and set ANDROID_NDK_HOME to it (see docs/app.md)" >&2; exit 1; }
	@test -d "$$ANDROID_NDK_HOME/toolchains/llvm/prebuilt" || { echo "make android: ANDROID_NDK_HOME=$$ANDROID_NDK_HOME is not an Android NDK (no toolchains/llvm/prebuilt in it)" >&2; exit 1; }
	mkdir -p dist
	cp android/AndroidManifest.xml $(FIELD_DIR)/AndroidManifest.xml
	cd $(FIELD_DIR) && $(FYNE) package -os android --app-id $(APP_ID) --release; status=$$?; rm -f AndroidManifest.xml; exit $$status
	mv $(FIELD_DIR)/*.apk dist/

ios: ## package the field app for iOS in dist/ (needs macOS with Xcode and a signing identity)
	@test "$$(uname)" = Darwin || { echo "make ios needs macOS with Xcode (see docs/app.md)"; exit 1; }
	mkdir -p dist
	cd $(FIELD_DIR) && $(FYNE) package -os ios --app-id $(APP_ID) --release
	/usr/libexec/PlistBuddy -c "Merge ios/Info.plist" $(FIELD_DIR)/LawTrace.app/Info.plist
	codesign --force --sign "$${IOS_IDENTITY:-iPhone Developer}" $(FIELD_DIR)/LawTrace.app
	mv $(FIELD_DIR)/LawTrace.app dist/

screenshots: ## PNG screenshots of every field app screen under Xvfb into docs/screens (needs xvfb)
	$(GO) build -o $(BIN)/ ./$(FIELD_DIR)
	LAWTRACE_SCREENSHOTS=$(CURDIR)/docs/screens bash docs/screens/shoot.sh $(BIN)/lawtrace-field
