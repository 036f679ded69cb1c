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

# The Fyne field app (docs/app.md). fyne packaging tool, pinned:
FYNE      := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4
FIELD_DIR := app/cmd/lawtrace-field
APP_ID    := cn.lawtrace.field

.PHONY: app android ios screenshots

app: ## build the Fyne field app and run it on the desktop with the demo data (.tmp/field-demo)
	$(GO) build -o $(BIN)/ ./$(FIELD_DIR)
	rm -rf .tmp/field-demo
	$(BIN)/lawtrace-field --home .tmp/field-demo --demo --server ws://$(LISTEN)/sync

android: ## package the field app as an APK in dist/ (needs ANDROID_NDK_HOME, an NDK with API >= 21)
	@test -n "$$ANDROID_NDK_HOME" || { echo "make android needs an Android NDK: set ANDROID_NDK_HOME (see docs/app.md)"; exit 1; }
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

screenshots: ## PNG screenshots of the field app under Xvfb into docs/screens (needs xvfb, imagemagick)
	$(GO) build -o $(BIN)/ ./$(FIELD_DIR)
	bash docs/screens/shoot.sh $(BIN)/lawtrace-field docs/screens
