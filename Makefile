# Thin wrapper over CMake/ctest: the two commands of the README, plus the
# targets developers use. Everything real lives in CMakeLists.txt.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build demo check test clean conformance-report bench deb

all: build

setup:
	./scripts/setup

configure:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: BERT-tiny compiled and checked (scripts/demo prints a summary).
demo: setup
	$(MAKE) build
	./scripts/demo $(BUILD)

# Every test, one ctest run.
check: setup
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

conformance-report: build
	cmake --build $(BUILD) --target conformance_report conformance_matrix_report

# Benchmarks (instruction counts under qemu vs clang); never run by check.
bench: build
	cmake --build $(BUILD) --target bench

# Debian packages from a clean copy of the tree, into $(BUILD)/deb
# (packaging/make-deb: dpkg-buildpackage, then lintian).
deb: setup
	JOBS=$(JOBS) ./packaging/make-deb $(BUILD)/deb

clean:
	rm -rf $(BUILD)
