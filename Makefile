# The front door: `make run` and `make test`. Everything else is meson.
BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON      ?= meson

.PHONY: all deps build build-asan run test test-fast bench deb clean

all: build

deps:
	@build-aux/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja:
	CC=clang $(MESON) setup $(ASAN_BUILD) --buildtype=debug \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true

build: deps $(BUILD)/build.ninja
	@$(MESON) compile -C $(BUILD)

build-asan: deps $(ASAN_BUILD)/build.ninja
	@$(MESON) compile -C $(ASAN_BUILD)

# Starts the app from the build tree, with its settings schema and French
# catalogue, so nothing needs installing.
run: build
	@build-aux/run-uninstalled.sh $(BUILD) app/gui/postier $(ARGS)

# The whole suite, twice: a normal build and one with AddressSanitizer and
# UBSan. The rig (keyring, Postfix, Xvfb) is started by the suite itself.
test: build build-asan
	@build-aux/run-tests.sh $(BUILD) $(ASAN_BUILD)

# One build only, for a quick loop while working.
test-fast: build
	@build-aux/run-tests.sh $(BUILD)

# Ends with one table of every side-by-side ratio (RATIO lines), printed
# even when a bench failed; the exit status is still meson's.
bench: build
	@build-aux/install-deps.sh build-aux/bench-packages.txt
	@status=0; tests/rig/with-rig $(MESON) test -C $(BUILD) --benchmark --verbose || status=$$?; \
	  build-aux/bench-summary.py $(BUILD)/meson-logs/testlog.txt; exit $$status

# A Debian package (dpkg-buildpackage -us -uc -b, then lintian) in
# build-deb/: install it with `apt install ./build-deb/postier_*.deb`.
deb: deps
	@build-aux/build-deb.sh build-deb

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-deb
