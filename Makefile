# Thin wrapper over CMake/ctest: the two commands of the README, plus the
# targets developers use. Everything real lives in CMakeLists.txt.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=

.PHONY: all setup configure build demo check test clean conformance-report bench fuzz fault-sweep deb

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

# libFuzzer campaigns (clang-19, ASan+UBSan): FUZZ_SECONDS per harness,
# FUZZ_FLAGS=--seed / --minimize / --only=import,... (scripts/fuzz).
fuzz: setup
	CC=clang-19 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DRVVNN_FUZZ=ON -DRVVNN_SANITIZE=address,undefined \
	    -DRVVNN_OPENMP=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers rvvnn_cli
	./scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_FLAGS)

# Allocation-failure sweep over every allocation of BERT-tiny and
# MobileNetV2 in every phase, the public API's included (make check leaves
# out the API phase of the big models).
fault-sweep: build
	cmake --build $(BUILD) --target fault_sweep_models

clean:
	rm -rf $(BUILD)
