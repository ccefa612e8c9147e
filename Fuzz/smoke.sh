#!/usr/bin/env bash
# CI smoke run: builds the fuzz targets once (ASan + libFuzzer) and runs each for SECONDS (default 10) on its
# committed seeds, hostile cases and test fixtures. Exits non-zero when any target finds a crash.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
start=$(date +%s)
swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >&2 || exit 1
echo "fuzz build: $(( $(date +%s) - start )) s"
failed=0
for target in npy safetensors index npz config tokenizer sae pth; do
    SKIP_BUILD=1 ./run.sh "$target" "$seconds" > ".build/smoke-$target.log" 2>&1
    code=$?
    line=$(tr '\r' '\n' < ".build/smoke-$target.log" | grep -E '^#[0-9]+' | tail -1 | cut -c1-100)
    if [ $code -ne 0 ]; then
        failed=$((failed + 1))
        echo "FAIL $target: exit $code"
        grep -E "ERROR|Fatal error|SUMMARY" ".build/smoke-$target.log" | head -5
    else
        echo "ok   $target: $line"
    fi
done
echo "fuzz smoke: $((8 - failed)) targets clean, $failed crashed, $(( $(date +%s) - start )) s in all"
[ $failed -eq 0 ]
