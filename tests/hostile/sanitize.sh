#!/bin/sh
# sanitize.sh SRC TREE MODELS RVVNN_RT - make check's AddressSanitizer +
# UndefinedBehaviorSanitizer pass: configures TREE with
# -DRVVNN_SANITIZE=address,undefined, builds every test program (not the
# model export or the riscv64 runner: the main tree's are used), and runs
# the unit, cli, hostile, fuzz-replay, api and conformance (reference
# executor) tests in it. LeakSanitizer is on: a leak fails the test too.
set -eu
src=$1 tree=$2 models=$3 rt=$4
log="$tree.log"
if ! cmake -S "$src" -B "$tree" -G Ninja -DRVVNN_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DRVVNN_MODEL_DIR="$models" > "$log" 2>&1 ||
   ! cmake --build "$tree" --target test_programs >> "$log" 2>&1; then
    tail -60 "$log"
    exit 1
fi
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=66
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
LSAN_OPTIONS=suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp
RVVNN_RT=$rt
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS RVVNN_RT
cd "$tree"
# qemu-bound tests add nothing the sanitizers see (the runner is not
# instrumented); tsan, valgrind (it cannot run ASan programs) and this
# test itself are excluded, and so is the BERT-tiny allocation sweep
# (about 5 minutes instrumented; the plain tree runs it, the small-model
# and CNN sweeps run here with LeakSanitizer).
exec ctest --output-on-failure -j2 -L 'unit|cli|hostile|api|conformance|fuzz' \
    -LE 'qemu|tsan|sanitize|models|bindings|valgrind' -E 'abi_baseline|conformance_matrix_current|fault_sweep_bert'
